/// The one error type of the Learning module: a stable code plus a human-readable message.
///
/// Codes are static members of an extensible struct (swift-service-lifecycle's habit), so new
/// codes can be added without breaking callers that switch over the ones they know.
public struct LearningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable error kind.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `single_class`.
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The training labels contain only one class.
        public static let singleClass = Code("single_class")
        /// Fewer rows than a model can be trained on (see `LearningError.minimumTrainingRows`).
        public static let tooFewRows = Code("too_few_rows")
        /// Matrix and label sizes, or column counts between fit and predict, disagree.
        public static let shapeMismatch = Code("shape_mismatch")
        /// Labels other than 0 and 1.
        public static let invalidLabels = Code("invalid_labels")
        /// A C library (XGBoost, libsvm, liblinear) reported an error.
        public static let libraryError = Code("library_error")
        /// The caller's `shouldStop` asked the work to stop.
        public static let cancelled = Code("cancelled")
        /// Serialized model bytes could not be read.
        public static let invalidArtifact = Code("invalid_artifact")
        /// Predict or serialize was called before `fit`.
        public static let notFitted = Code("not_fitted")
        /// A hyperparameter or option is out of its valid range.
        public static let invalidParameters = Code("invalid_parameters")
        /// Not enough data to build the requested splits or folds.
        public static let insufficientData = Code("insufficient_data")
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// What went wrong, for humans: includes the library's own message where there is one.
    public let message: String

    /// Creates an error with a code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }

    /// The smallest training set any classifier accepts.
    public static let minimumTrainingRows = 20

    static func cancelled(_ what: String) -> LearningError {
        LearningError(.cancelled, "\(what) was cancelled by the caller")
    }
}
