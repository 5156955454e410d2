/// Query execution allocates and frees column buffers of tens of megabytes. glibc hands such blocks
/// back to the kernel at once and the next query pays for fresh zeroed pages (measured: 40% of a
/// join over 10M rows went to page clearing). Keeping freed memory in the heap avoids that.
public enum AllocatorTuning {
    public static func apply() {
        #if os(Linux)
        // glibc's <malloc.h> is not in Swift's Glibc module; the option numbers are glibc's ABI.
        let trimThreshold: Int32 = -1, topPad: Int32 = -2, mmapThreshold: Int32 = -3
        _ = vigil_mallopt(mmapThreshold, 32 << 20)   // the largest value glibc accepts on 64-bit
        _ = vigil_mallopt(trimThreshold, Int32.max)  // never shrink the heap eagerly
        _ = vigil_mallopt(topPad, 1 << 30)           // grow the heap in large steps (pages are committed only when touched)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func vigil_mallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
