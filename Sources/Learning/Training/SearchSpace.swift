import Foundation

/// The random-search space of each algorithm (documented here, used by `Trainer`).
///
/// - gb: learningRate log-uniform 0.02-0.3; maxDepth 2-8; minChildWeight log-uniform 1-20;
///   subsample 0.5-1; colsampleByTree 0.5-1; lambda log-uniform 0.1-10; gamma 0 or 0-1 (half each).
/// - rf: trees {50, 100, 200}; maxDepth 4-10 (deeper trees cost far more time); subsample 0.4-0.9; colsampleByNode 0.2-0.8;
///   minChildWeight log-uniform 0.1-10.
/// - lr: c log-uniform 0.001-100.
/// - svm: c log-uniform 0.1-100; gamma log-uniform 0.1/d-10/d (d = number of features).
/// - nn: hidden layers {[16], [32], [64], [32, 16], [64, 32]}; learningRate log-uniform
///   0.0003-0.01; l2 log-uniform 1e-6-1e-2; batchSize {64, 128, 256}.
///
/// Parameters not listed keep the values of the base hyperparameters. Ensembles are not tuned:
/// a draw of one is its base unchanged.
public enum SearchSpace {
    /// One seeded random draw around `base` (whose algorithm decides the space).
    public static func sample(_ base: Hyperparameters, features: Int, rng: inout SplitMix64) -> Hyperparameters {
        func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * rng.nextUniform() }
        func logUniform(_ lo: Double, _ hi: Double) -> Double { exp(uniform(log(lo), log(hi))) }
        func integer(_ lo: Int, _ hi: Int) -> Int { lo + rng.nextInt(below: hi - lo + 1) }
        func rounded(_ v: Double) -> Double { (v * 1e6).rounded() / 1e6 }
        switch base {
        case .gb(var p):
            p.learningRate = rounded(logUniform(0.02, 0.3))
            p.maxDepth = integer(2, 8)
            p.minChildWeight = rounded(logUniform(1, 20))
            p.subsample = rounded(uniform(0.5, 1))
            p.colsampleByTree = rounded(uniform(0.5, 1))
            p.lambda = rounded(logUniform(0.1, 10))
            p.gamma = rng.nextUniform() < 0.5 ? 0 : rounded(uniform(0, 1))
            return .gb(p)
        case .rf(var p):
            p.trees = [50, 100, 200][rng.nextInt(below: 3)]
            p.maxDepth = integer(4, 10)
            p.subsample = rounded(uniform(0.4, 0.9))
            p.colsampleByNode = rounded(uniform(0.2, 0.8))
            p.minChildWeight = rounded(logUniform(0.1, 10))
            return .rf(p)
        case .lr(var p):
            p.c = rounded(logUniform(0.001, 100))
            return .lr(p)
        case .svm(var p):
            p.c = rounded(logUniform(0.1, 100))
            let d = Double(max(1, features))
            p.gamma = logUniform(0.1 / d, 10 / d)
            return .svm(p)
        case .nn(var p):
            p.hiddenLayers = [[16], [32], [64], [32, 16], [64, 32]][rng.nextInt(below: 5)]
            p.learningRate = rounded(logUniform(0.0003, 0.01))
            p.l2 = logUniform(1e-6, 1e-2)
            p.batchSize = [64, 128, 256][rng.nextInt(below: 3)]
            return .nn(p)
        case .ensemble:
            return base
        }
    }
}
