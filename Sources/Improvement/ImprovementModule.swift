/// The improvement cycle.
public enum ImprovementModule {}
