import Testing

/// Every end-to-end suite runs inside this one, one test at a time: each
/// starts real edges, homes and services, and running them all at once on a
/// 2-core CI machine starved the rest of the suite's timing-sensitive tests.
@Suite("End to end", .serialized)
enum EndToEndSuite {}
