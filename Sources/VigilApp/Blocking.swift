import Foundation

/// Runs async work from synchronous code that owns its thread (the detection loop's thread, a CLI
/// command): the work runs on the concurrency pool while the caller's thread waits.
public enum Blocking {
    public static func wait<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task { box.value = await work(); done.signal() }
        done.wait()
        return box.value!
    }

    final class Box<T>: @unchecked Sendable { var value: T? }
}
