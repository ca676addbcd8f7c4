package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strings"
)

// parseChunkHeader parses "hex-size" (unsigned; extensions ignored) or
// "hex-size;chunk-signature=<64 hex>" (signed).
func parseChunkHeader(line []byte, signed bool) (int64, [32]byte, error) {
	var sig [32]byte
	sizePart, ext, hasExt := bytes.Cut(line, []byte{';'})
	if len(sizePart) == 0 || len(sizePart) > maxSizeDigits {
		return 0, sig, malformed("bad chunk size")
	}
	var size uint64
	for _, ch := range sizePart {
		d, ok := unhex(ch)
		if !ok {
			return 0, sig, malformed("bad chunk size")
		}
		size = size<<4 | uint64(d)
	}
	if size > 1<<62 {
		return 0, sig, malformed("bad chunk size")
	}
	if signed {
		v, ok := bytes.CutPrefix(ext, []byte("chunk-signature="))
		if !hasExt || !ok || len(v) != 64 {
			return 0, sig, malformed("missing or bad chunk-signature")
		}
		if _, err := hex.Decode(sig[:], v); err != nil {
			return 0, sig, malformed("missing or bad chunk-signature")
		}
	}
	return int64(size), sig, nil
}

// verifyChunk checks a chunk signature and, when it holds, makes it the
// previous signature for the next chunk.
func (c *chunkedReader) verifyChunk(data []byte, sig *[32]byte) bool {
	c.sha.Reset()
	c.sha.Write(data)
	c.sha.Sum(c.sum[:0])
	return c.verify("AWS4-HMAC-SHA256-PAYLOAD\n", &c.sum, sig)
}

func (c *chunkedReader) verify(kind string, h, sig *[32]byte) bool {
	b := c.sts[:0]
	b = append(b, kind...)
	b = append(b, c.amzDate...)
	b = append(b, '\n')
	b = append(b, c.scope...)
	b = append(b, '\n')
	b = append(b, c.prev[:]...)
	b = append(b, '\n')
	if kind == "AWS4-HMAC-SHA256-PAYLOAD\n" {
		b = append(b, emptySHA256...)
		b = append(b, '\n')
	}
	b = hex.AppendEncode(b, h[:])
	c.sts = b
	c.mac.Reset()
	c.mac.Write(b)
	c.mac.Sum(c.out[:0])
	if !hmac.Equal(c.out[:], sig[:]) {
		return false
	}
	hex.Encode(c.prev[:], c.out[:])
	return true
}

// finish handles the zero-length chunk and the trailer section after it.
func (c *chunkedReader) finish(sig [32]byte) {
	if c.signed && !c.verifyChunk(nil, &sig) {
		c.fail(ErrSignatureDoesNotMatch)
		return
	}
	if c.want >= 0 && c.got != c.want {
		c.fail(ErrIncompleteBody)
		return
	}
	hdr, err := c.readTrailers()
	if err != nil {
		c.fail(err)
		return
	}
	// Nothing may follow the body.
	if _, err := c.br.ReadByte(); err != io.EOF {
		if err == nil {
			err = malformed("data after the final chunk")
		}
		c.fail(err)
		return
	}
	for _, name := range c.expect {
		if _, ok := hdr[name]; !ok {
			c.fail(errBadTrailer)
			return
		}
	}
	c.trailer = hdr
	c.err = io.EOF
	c.release()
}

// readTrailers reads "name:value" lines up to the empty line (or a clean
// end of body), checking x-amz-trailer-signature in signed-trailer mode.
func (c *chunkedReader) readTrailers() (http.Header, error) {
	var hdr http.Header
	c.sha.Reset()
	crlf := sha256.New() // the same lines hashed with CRLF endings
	lines, size := 0, 0
	blank := false
	for {
		line, err := c.readTrailerLine()
		if err == io.EOF || err == nil && len(line) == 0 {
			switch {
			case !c.signedTrailer:
				if err == nil {
					c.skipCRLF() // minio-go's second CRLF after its LF-ended lines
				}
				return hdr, nil
			case err == io.EOF && !blank: // the trailer signature is required
				return nil, ErrIncompleteBody
			case err == nil && !blank: // minio-go's CRLF between its LF-ended lines and the signature
				blank = true
				continue
			default:
				return nil, errBadTrailer
			}
		}
		if err != nil {
			return nil, err
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(name) == 0 {
			return nil, errBadTrailer
		}
		lname := strings.ToLower(string(name))
		if lname == "x-amz-trailer-signature" && c.signedTrailer {
			return hdr, c.trailerSignature(value, crlf)
		}
		if !c.trailersOK {
			return nil, errBadTrailer
		}
		lines++
		size += len(line)
		if lines > maxTrailerLines || size > maxTrailerBytes {
			return nil, errBadTrailer
		}
		c.sha.Write(line)
		c.sha.Write([]byte{'\n'})
		crlf.Write(line)
		crlf.Write([]byte{'\r', '\n'})
		if lname == "x-amz-trailer-signature" {
			continue // meaningless in an unsigned trailer
		}
		if hdr == nil {
			hdr = make(http.Header)
		}
		hdr[lname] = append(hdr[lname], strings.TrimSpace(string(value)))
	}
}

// readTrailerLine is readLine for trailer lines, which may also end in a bare
// LF: minio-go (TrailingHeaders) ends each trailer line with LF and then sends
// CRLF CRLF, a form S3 accepts. readTrailers allows that one extra empty line.
func (c *chunkedReader) readTrailerLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case err == io.EOF && len(line) == 0:
		return nil, io.EOF
	case err == bufio.ErrBufferFull:
		return nil, malformed("line too long")
	case err != nil:
		return nil, ioErr(err)
	case len(line) > maxChunkLine:
		return nil, malformed("line too long")
	}
	return bytes.TrimSuffix(line[:len(line)-1], []byte{'\r'}), nil
}

// skipCRLF discards a CRLF if one comes next.
func (c *chunkedReader) skipCRLF() {
	if b, _ := c.br.Peek(2); len(b) == 2 && b[0] == '\r' && b[1] == '\n' {
		c.br.Discard(2)
	}
}

// trailerSignature verifies the trailer signature over the lines hashed so
// far and reads the closing CRLF (or accepts a clean end of body). The
// documented form hashes "name:value\n" lines; the same lines with CRLF
// endings, as they appear on the wire, are accepted too.
func (c *chunkedReader) trailerSignature(v []byte, crlf hash.Hash) error {
	var sig [32]byte
	if len(v) != 64 {
		return errBadTrailer
	}
	if _, err := hex.Decode(sig[:], v); err != nil {
		return errBadTrailer
	}
	c.sha.Sum(c.sum[:0])
	if !c.verify("AWS4-HMAC-SHA256-TRAILER\n", &c.sum, &sig) {
		crlf.Sum(c.sum[:0])
		if !c.verify("AWS4-HMAC-SHA256-TRAILER\n", &c.sum, &sig) {
			return ErrSignatureDoesNotMatch
		}
	}
	line, err := c.readLine()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	if len(line) != 0 {
		return errBadTrailer
	}
	return nil
}
