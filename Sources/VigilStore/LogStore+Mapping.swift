public import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension LogStore {
    /// An extent file as a read-only private mapping wrapped in `Data` (unmapped when the last copy
    /// goes). Foundation's `.alwaysMapped` may read the file into the heap instead, and then handing
    /// its pages back would zero them; this is always a mapping.
    static func map(_ path: String) throws -> Data {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError.io("cannot open \(path): errno \(errno)") }
        defer { _ = close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return Data() }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw StoreError.io("cannot map \(path): errno \(errno)")
        }
        return Data(bytesNoCopy: p, count: size, deallocator: .custom { p, n in munmap(p, n) })
    }

    /// Hands a decoded byte range of a mapped extent back to the kernel: the column now lives decoded
    /// (and in the bounded cache), and the file's pages would otherwise stay in the process's resident
    /// set for as long as the extent is mapped: at 100M rows, gigabytes of a column read once.
    static func releasePages(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard let base = raw.baseAddress, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        // Whole pages inside the range only: a neighbouring column may share the edge pages.
        let start = (range.lowerBound + page - 1) / page * page, end = min(range.upperBound, raw.count) / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }
}
