import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only private mapping of a whole file whose consumed prefix can be handed back to the
/// kernel. Foundation's mapped `Data` may silently read into the heap instead, where dropping pages
/// would zero them; this type is always a mapping, so a released page is re-read from the file if
/// touched again.
final class MappedFile {
    let base: UnsafeMutableRawPointer?
    let count: Int

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        defer { _ = Glibc.close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        guard size >= 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
        count = Int(size)
        if count == 0 { base = nil; return }
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        base = p
        _ = madvise(p, count, MADV_SEQUENTIAL)
    }

    var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Drops the resident pages before `offset` (rounded down to a page); returns the released length.
    func release(upTo offset: Int) -> Int {
        guard let base else { return 0 }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, count) / page * page
        if end > 0 { _ = madvise(base, end, MADV_DONTNEED) }
        return end
    }

    func close() {
        if let base { munmap(base, count) }
    }
}
