/// Hyperparameters of an ensemble: which combiner, the members' own hyperparameters, and how the
/// ensemble's self-contained `fit` finds out-of-fold predictions to fit its combiner on.
///
/// Ensembles are not tuned: the members keep their hyperparameters and the combiner has no
/// free choice besides `regimeMinRows` (README.md, "Ensembles").
public struct EnsembleParameters: Codable, Sendable, Equatable, Hashable {
    /// The ensemble: `.voting`, `.stacking`, `.blending`, `.regime` or `.bma`.
    public var kind: Algorithm
    /// The members, one base model each, in this order.
    public var members: [Hyperparameters]
    /// Walk-forward folds of a self-contained `fit` (rows in the order given, cut into
    /// `folds + 1` blocks): the members' predictions on blocks 1...folds are the out-of-fold
    /// predictions the combiner is fitted on.
    public var folds = 4
    /// Regime selection: a regime with fewer validation rows than this uses the overall best member.
    public var regimeMinRows = 100

    public init(kind: Algorithm, members: [Hyperparameters], folds: Int = 4, regimeMinRows: Int = 100) {
        self.kind = kind
        self.members = members
        self.folds = folds
        self.regimeMinRows = regimeMinRows
    }
}
