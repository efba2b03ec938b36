/// Daemon plumbing: schedule maths, retrain triggers, journal logging, sd_notify, the instance lock.
public enum DaemonModule {}
