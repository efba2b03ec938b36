/// Classifiers, metrics, validation and tuning.
public enum Learning {}
