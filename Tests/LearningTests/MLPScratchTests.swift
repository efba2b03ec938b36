import Foundation
import Testing
@testable import Learning

/// The MLP's training step on reused buffers against the allocating step it replaced (issue 15):
/// the same gradients, bit for bit, for full and short batches, after updates have moved the weights.
@Suite struct MLPScratchTests {
    @Test func scratchGradientsEqualTheAllocatingOnes() throws {
        let (x, y) = Synthetic.separable(rows: 300, seed: 5)
        let z = Preprocessor(fitting: x, standardize: true).transform(x)
        let layers = [x.cols, 32, 16, 1]
        var rng = SplitMix64(seed: 9)
        var net = MLPNetwork(layers: layers, w: [], b: [])
        for l in 0..<(layers.count - 1) {
            net.w.append((0..<(layers[l] * layers[l + 1])).map { _ in 2 * rng.nextUniform() - 1 })
            net.b.append((0..<layers[l + 1]).map { _ in 0.1 * rng.nextUniform() })
        }
        let scratch = GradientScratch(layers: layers, batch: 128)
        for (start, rows) in [(0, 128), (128, 128), (256, 44)] {
            let batchX = Array(z[(start * x.cols)..<((start + rows) * x.cols)])
            let batchY = y[start..<(start + rows)].map(Double.init)
            let (dw, db) = net.gradients(batchX, y: batchY, rows: rows, l2: 1e-4)
            for (i, v) in batchX.enumerated() { scratch.acts[0][i] = v }
            for (i, v) in batchY.enumerated() { scratch.y[i] = v }
            net.gradients(scratch, rows: rows, l2: 1e-4)
            for l in dw.indices {
                #expect(dw[l].indices.allSatisfy { dw[l][$0].bitPattern == scratch.dw[l][$0].bitPattern }, "weights of layer \(l)")
                #expect(db[l].indices.allSatisfy { db[l][$0].bitPattern == scratch.db[l][$0].bitPattern }, "biases of layer \(l)")
                #expect(dw[l].contains { $0 != 0 })
                // Move the weights so that the next batch starts elsewhere.
                for i in net.w[l].indices { net.w[l][i] -= 0.5 * dw[l][i] }
            }
        }
    }
}
