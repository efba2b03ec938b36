/// Daemon plumbing: schedule maths, the scheduler service, journal logging, sd_notify, the instance lock.
public enum DaemonModule {}
