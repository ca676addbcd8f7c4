package cse

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"

	"github.com/arcastore/arca/pkg/cse/internal/gcmstream"
)

// newSealer starts the content encryption of a new object under dk, filling in the
// envelope's random nonce (unless already set) and commitment. The data key is wiped
// before returning.
func newSealer(dk *DataKey, env *envelope) (*gcmstream.Sealer, error) {
	defer clear(dk.Plaintext)
	if len(dk.Plaintext) != dataKeySize {
		return nil, errors.New("cse: the keyring returned a data key that is not 32 bytes")
	}
	switch dk.Suite {
	case SuiteGCM:
		if env.nonce == nil {
			env.nonce = make([]byte, ivSize)
			rand.Read(env.nonce)
		}
		return gcmstream.NewSealer(dk.Plaintext, env.nonce, nil)
	case SuiteCommittingGCM:
		if env.nonce == nil {
			env.nonce = make([]byte, messageIDSize)
			rand.Read(env.nonce)
		}
		prk, err := hkdfPRK(dk.Plaintext, env.nonce)
		if err != nil {
			return nil, err
		}
		defer clear(prk)
		if env.commitment, err = commitKey(prk); err != nil {
			return nil, err
		}
		key, err := contentKey(prk)
		if err != nil {
			return nil, err
		}
		defer clear(key)
		return gcmstream.NewSealer(key, committingIV, committingAAD)
	}
	return nil, fmt.Errorf("cse: cannot encrypt with %v", dk.Suite)
}

// newOpener starts decrypting an object's content with its unwrapped data key. For the
// committing suite the stored commitment is compared, in constant time, with the one
// derived from the data key before the content key is even derived.
func newOpener(dataKey []byte, env *envelope) (*gcmstream.Opener, error) {
	defer clear(dataKey)
	if len(dataKey) != dataKeySize {
		return nil, ErrAuthentication
	}
	if env.key.Suite == SuiteGCM {
		return gcmstream.NewOpener(dataKey, env.nonce, nil)
	}
	prk, err := hkdfPRK(dataKey, env.nonce)
	if err != nil {
		return nil, err
	}
	defer clear(prk)
	commitment, err := commitKey(prk)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(commitment, env.commitment) != 1 {
		return nil, ErrAuthentication
	}
	key, err := contentKey(prk)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	return gcmstream.NewOpener(key, committingIV, committingAAD)
}

// encryptReader reads plaintext from src and yields the ciphertext followed by the tag.
type encryptReader struct {
	src  io.Reader
	seal *gcmstream.Sealer
	n    int64 // plaintext bytes read
	tag  []byte
	done bool
	err  error
}

func (r *encryptReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.done {
		if len(r.tag) == 0 {
			return 0, io.EOF
		}
		n := copy(p, r.tag)
		r.tag = r.tag[n:]
		return n, nil
	}
	n, err := r.src.Read(p)
	if n > 0 {
		if serr := r.seal.Seal(p[:n], p[:n]); serr != nil {
			r.err = serr
			return 0, serr
		}
		r.n += int64(n)
	}
	switch {
	case err == io.EOF:
		t := r.seal.Tag()
		r.tag, r.done = t[:], true
		if n == 0 {
			return r.Read(p)
		}
	case err != nil:
		r.err = err
	}
	return n, r.err
}

// decryptReader reads ciphertext (with its tag at the end) from src and yields the
// plaintext. The last 16 bytes are held back as the tag; at the end of src it verifies
// the tag and returns io.EOF, or ErrAuthentication for any mismatch or truncation.
// Plaintext it returns before that is unauthenticated.
type decryptReader struct {
	src        io.Reader
	open       *gcmstream.Opener
	buf        []byte
	start, end int
	eof        bool
	err        error
}

func newDecryptReader(src io.Reader, open *gcmstream.Opener) *decryptReader {
	return &decryptReader{src: src, open: open, buf: make([]byte, 256<<10)}
}

func (r *decryptReader) Read(p []byte) (int, error) {
	if len(p) == 0 && r.err == nil {
		return 0, nil
	}
	for r.err == nil {
		if avail := r.end - r.start - tagSize; avail > 0 {
			n := min(avail, len(p))
			if err := r.open.Open(p[:n], r.buf[r.start:r.start+n]); err != nil {
				r.err = ErrAuthentication // exceeding GCM's size limit: not a message we wrote
				break
			}
			r.start += n
			return n, nil
		}
		if r.eof {
			if r.end-r.start != tagSize || r.open.Verify(r.buf[r.start:r.end]) != nil {
				r.err = ErrAuthentication
			} else {
				r.err = io.EOF
			}
			break
		}
		r.start, r.end = 0, copy(r.buf, r.buf[r.start:r.end])
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		if err == io.EOF {
			r.eof = true
		} else if err != nil {
			r.err = err
		}
	}
	return 0, r.err
}
