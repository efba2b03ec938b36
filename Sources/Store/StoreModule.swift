/// The SQLite store.
public enum StoreModule {}
