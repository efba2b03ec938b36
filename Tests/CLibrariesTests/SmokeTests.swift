import CLibLinear
import CLibSVM
import COpenBLAS
import CSystemd
import CXGBoost
import Testing

/// One real call into each C library, so a broken package or link line fails here first.
@Suite struct CLibrarySmokeTests {
    @Test func xgboostReportsItsVersion() {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        XGBoostVersion(&major, &minor, &patch)
        #expect(major >= 1)
        // And builds a real matrix.
        var handle: DMatrixHandle?
        let data: [Float] = [1, 2, 3, 4, .nan, 6]
        #expect(XGDMatrixCreateFromMat(data, 3, 2, .nan, &handle) == 0)
        var rows: UInt64 = 0
        #expect(XGDMatrixNumRow(handle, &rows) == 0)
        #expect(rows == 3)
        XGDMatrixFree(handle)
    }

    @Test func libsvmAndLiblinearVersions() {
        #expect(improvementd_libsvm_version() >= 300)
        #expect(improvementd_liblinear_version() >= 200)
    }

    @Test func openblasMultipliesMatrices() {
        let a: [Double] = [1, 2, 3, 4] // 2x2 row-major
        let b: [Double] = [5, 6, 7, 8]
        var c = [Double](repeating: 0, count: 4)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        #expect(c == [19, 22, 43, 50])
    }

    @Test func systemdBootedCheckAnswers() {
        // 0 or 1 on any machine; a negative errno would mean the library is broken.
        #expect(sd_booted() >= 0)
        // Without NOTIFY_SOCKET sd_notify returns 0 (nothing to do), never an error.
        #expect(sd_notify(0, "STATUS=smoke") >= 0)
    }
}
