import CZlib
import Foundation

/// `gzip_compress_to_base64_string`, `zlib_compress_to_base64_string` and their decompressions,
/// through zlib; text that is not base64 of valid compressed data gives null (or an empty string).
enum CompressionFunctions {
    /// zlib's window bits: 15 for zlib framing, 31 for gzip.
    static func compress(_ input: [UInt8], windowBits: Int32) -> [UInt8]? {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        var src = input
        let status: Int32 = src.withUnsafeMutableBufferPointer { inBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        return Array(out.prefix(Int(stream.total_out)))
    }

    static func decompress(_ input: [UInt8], windowBits: Int32, limit: Int = 64 << 20) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var src = input
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        return src.withUnsafeMutableBufferPointer { inBuf -> [UInt8]? in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { outBuf -> (Int32, Int) in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    let s = inflate(&stream, Z_NO_FLUSH)
                    return (s, outBuf.count - Int(stream.avail_out))
                }
                result.append(contentsOf: chunk.prefix(produced))
                if status == Z_STREAM_END { return result }
                guard status == Z_OK, result.count <= limit, produced > 0 || stream.avail_in > 0 else { return nil }
            }
        }
    }

    static func pair(_ name: String, windowBits: Int32) -> [FunctionDef] {
        [
            F.row("\(name)_compress_to_base64_string", 1...1, .string) { a, _ in
                guard !a[0].isNull, let c = compress(Array(a[0].kqlString.utf8), windowBits: windowBits) else { return .null }
                return .string(Data(c).base64EncodedString())
            },
            F.row("\(name)_decompress_from_base64_string", 1...1, .string) { a, _ in
                guard let d = Data(base64Encoded: EncodingFunctions.padded(a[0].kqlString)), let out = decompress(Array(d), windowBits: windowBits),
                      let s = String(bytes: out, encoding: .utf8) else { return .null }
                return .string(s)
            },
        ]
    }

    static var all: [FunctionDef] { pair("gzip", windowBits: 31) + pair("zlib", windowBits: 15) }
}
