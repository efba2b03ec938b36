import Foundation
import Testing
@testable import Daemon

/// Idle memory: clean library pages go back to the kernel, nothing else is touched.
@Suite("Resident pages")
struct ResidentPagesTests {
    static let sample = """
        5581a0e00000-5581a1400000 r-xp 00000000 fd:01 1234                       /usr/lib/x86_64-linux-gnu/libxgboost.so.1.6.0
        Size:               6144 kB
        Rss:                3376 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        5581a1400000-5581a1500000 r--p 00600000 fd:01 1234                       /usr/lib/x86_64-linux-gnu/libxgboost.so.1.6.0
        Rss:                  52 kB
        Private_Dirty:        52 kB
        Anonymous:            52 kB
        5581a1500000-5581a1510000 rw-p 00700000 fd:01 1234                       /usr/lib/x86_64-linux-gnu/libxgboost.so.1.6.0
        Rss:                  64 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        7f0000000000-7f0000100000 rw-p 00000000 00:00 0
        Rss:                1024 kB
        Private_Dirty:      1024 kB
        Anonymous:          1024 kB
        7ffd1000000-7ffd1002000 r-xp 00000000 00:00 0                          [vdso]
        Rss:                   8 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        7f1000000000-7f1000200000 r--s 00000000 fd:01 99                         /var/lib/data file with spaces.bin
        Rss:                 100 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        """

    @Test func onlyCleanReadOnlyFileMappingsQualify() {
        let maps = ResidentPages.parse(Self.sample)
        #expect(maps.count == 6)
        #expect(maps[0].start == 0x5581a0e00000 && maps[0].end == 0x5581a1400000 && maps[0].rssKB == 3376)
        #expect(maps[5].path == "/var/lib/data file with spaces.bin")
        // code: yes; relocated RELRO data (dirty): no; writable data: no; anonymous heap: no;
        // the vDSO: no; a read-only shared data file: yes.
        #expect(maps.map(\.isCleanFileMapping) == [true, false, false, false, false, true])
    }

    @Test func procFilesAreReadToTheEnd() throws {
        let text = try #require(ResidentPages.readProcFile("/proc/self/smaps"))
        // Foundation's reader stops after 4 kB; this process maps far more than that.
        #expect(text.utf8.count > 16_384)
        #expect(ResidentPages.parse(text).count > 50)
    }

    @Test func releasingDropsFilePagesAndTheProcessKeepsWorking() throws {
        func rssFileKB() throws -> Int {
            let status = try #require(ResidentPages.readProcFile("/proc/self/status"))
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssFile:") })
            return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        }
        let before = try rssFileKB()
        let released = ResidentPages.releaseCleanFilePages()
        let after = try rssFileKB()
        #expect(released > 1024)
        #expect(after < before)
        // Code and constants fault back in from the files: everything still works.
        let json = try JSONSerialization.data(withJSONObject: ["x": [1.5, 2.5]])
        #expect(String(decoding: json, as: UTF8.self).contains("2.5"))
        #expect(Date().formatted(.iso8601).count > 10)
    }
}
