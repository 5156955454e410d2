import Foundation

/// Query execution allocates and frees column buffers of tens of megabytes. glibc hands such blocks
/// back to the kernel at once and the next query pays for fresh zeroed pages (measured: 40% of a
/// join over 10M rows went to page clearing). Keeping freed memory in the heap avoids that; the cost is
/// that the process keeps its high-water mark of heap memory instead of returning it to the system.
public enum AllocatorTuning {
    public static func apply() {
        #if os(Linux)
        if getenv("VIGIL_DEFAULT_MALLOC") != nil { return }
        // glibc's <malloc.h> is not in Swift's Glibc module; the option numbers are glibc's ABI.
        let trimThreshold: Int32 = -1, topPad: Int32 = -2, mmapThreshold: Int32 = -3, mmapMax: Int32 = -4
        _ = vigil_mallopt(mmapThreshold, 32 << 20)   // the largest value glibc accepts on 64-bit
        // Blocks above 32 MB would still be mmapped and unmapped on every free; serve them from the heap.
        _ = vigil_mallopt(mmapMax, 0)
        _ = vigil_mallopt(trimThreshold, Int32.max)  // never shrink the heap eagerly
        _ = vigil_mallopt(topPad, 1 << 30)           // grow the heap in large steps (pages are committed only when touched)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func vigil_mallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
