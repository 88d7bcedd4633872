/// Stops the fuzzer on a broken property. libFuzzer reports the trap as a
/// crash and saves the input, so a wrong answer is caught like a crash is.
///
/// A fuzzer that only waits for traps misses every parser that quietly
/// returns the wrong thing; these checks are what make the targets more than
/// "does not crash".
public func invariant(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    guard condition() else {
        fatalError("fuzz invariant broken: \(message())", file: file, line: line)
    }
}

/// The fuzzer's input as an array (libFuzzer passes a pointer and a length).
public func fuzzBytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}
