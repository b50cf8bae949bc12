package cicd

/*
#include <stdlib.h>
#include <cicd/cicd.h>

// values and prefixes come packed by Go: blob "s\0s\0...", offs (offset, length) pairs.
static int shim_mask_new(cicd_mask **out, const void *vblob, const void *voffs, size_t nv, const void *pblob,
			 const void *poffs, size_t np, unsigned flags, size_t max_phrases, size_t max_phrase_len,
			 cicd_error **err)
{
	cicd_mask_options o = CICD_MASK_OPTIONS_INIT;
	const char **values = calloc(nv + 1, sizeof(*values));
	size_t *lens = calloc(nv + 1, sizeof(*lens));
	const char **prefixes = calloc(np + 1, sizeof(*prefixes));
	const size_t *vo = voffs, *po = poffs;
	size_t i;
	int rc = CICD_ENOMEM;
	if (values && lens && prefixes) {
		for (i = 0; i < nv; i++) {
			values[i] = (const char *)vblob + vo[2 * i];
			lens[i] = vo[2 * i + 1];
		}
		for (i = 0; i < np; i++)
			prefixes[i] = (const char *)pblob + po[2 * i];
		o.flags = flags;
		o.extra_prefixes = prefixes;
		o.extra_prefix_count = np;
		o.max_phrases = max_phrases;
		o.max_phrase_len = max_phrase_len;
		rc = cicd_mask_new(out, values, lens, nv, &o);
		if (rc < 0)
			cicd_error_dup(err);
	}
	free(values);
	free(lens);
	free(prefixes);
	return rc;
}

static int shim_mask_write(cicd_mask *m, cicd_buf *out, const char *data, size_t len, cicd_error **err)
{
	int rc = cicd_mask_write(m, out, data, len);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_mask_finish(cicd_mask *m, cicd_buf *out, cicd_error **err)
{
	int rc = cicd_mask_finish(m, out);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"io"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// MaskOptions tune a Masker; zero values mask GitLab's token prefixes and
// secret URL parameters and allow 10,000 values of up to 64 KiB each.
type MaskOptions struct {
	NoTokenPrefixes bool     // do not mask after glpat-, glrt-, ...
	NoURLParams     bool     // do not mask ?private_token=, &X-Amz-Signature=, ...
	ExtraPrefixes   []string // more token prefixes
	MaxPhrases      int
	MaxPhraseLen    int
}

// Masker masks a job trace as it streams: masked values, GitLab token
// suffixes and secret URL parameters become [MASKED]. It keeps the CRC-32
// and count of what it emitted. Safe for use from several goroutines (calls
// are serialized). Close it when done.
type Masker struct {
	mu  sync.Mutex
	ptr *C.cicd_mask
}

// NewMasker makes a masker for values (copied; surrounding whitespace is
// trimmed, empty values and duplicates are ignored).
func NewMasker(values []string, o *MaskOptions) (*Masker, error) {
	if o == nil {
		o = &MaskOptions{}
	}
	for _, p := range o.ExtraPrefixes {
		if strings.IndexByte(p, 0) >= 0 {
			return nil, &Error{Code: ErrCodeInvalid, Message: "extra prefix contains a NUL byte"}
		}
	}
	flags := C.uint(0)
	if o.NoTokenPrefixes {
		flags |= C.CICD_MASK_NO_TOKEN_PREFIXES
	}
	if o.NoURLParams {
		flags |= C.CICD_MASK_NO_URL_PARAMS
	}
	vals, prefs := packStrings(values...), packStrings(o.ExtraPrefixes...)
	vblob, voffs := vals.ptrs()
	pblob, poffs := prefs.ptrs()
	var out *C.cicd_mask
	var cerr *C.cicd_error
	rc := C.shim_mask_new(&out, vblob, voffs, C.size_t(len(values)), pblob, poffs, C.size_t(len(o.ExtraPrefixes)),
		flags, C.size_t(o.MaxPhrases), C.size_t(o.MaxPhraseLen), &cerr)
	runtime.KeepAlive(vals)
	runtime.KeepAlive(prefs)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	m := &Masker{ptr: out}
	runtime.SetFinalizer(m, (*Masker).Close)
	return m, nil
}

func (m *Masker) live() *C.cicd_mask {
	if m.ptr == nil {
		panic("cicd: use of a closed Masker")
	}
	return m.ptr
}

func takeBuf(buf *C.cicd_buf) []byte {
	defer C.cicd_buf_dispose(buf)
	if buf.size == 0 {
		return []byte{}
	}
	return C.GoBytes(unsafe.Pointer(buf.ptr), C.int(buf.size))
}

// Mask masks p and returns what can be decided so far; bytes that may still
// start a secret are held back until the next call or Finish.
func (m *Masker) Mask(p []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var buf C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_mask_write(m.live(), &buf, bytesPtr(p), C.size_t(len(p)), &cerr)
	runtime.KeepAlive(p)
	out := takeBuf(&buf)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return out, nil
}

// Finish returns everything held back (end of the trace); the masker can be
// used again afterwards.
func (m *Masker) Finish() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var buf C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_mask_finish(m.live(), &buf, &cerr)
	out := takeBuf(&buf)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return out, nil
}

// CRC32 is the CRC-32 (IEEE, as hash/crc32) of every byte returned so far.
func (m *Masker) CRC32() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint32(C.cicd_mask_crc32(m.live()))
}

// Size is the number of bytes returned so far.
func (m *Masker) Size() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint64(C.cicd_mask_bytes(m.live()))
}

// Close frees the masker. Safe to call twice.
func (m *Masker) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ptr != nil {
		C.cicd_mask_free(m.ptr)
		m.ptr = nil
		runtime.SetFinalizer(m, nil)
	}
	return nil
}

// MaskWriter is an io.WriteCloser that masks what is written to it before
// passing it on to W; Close flushes what is held back (it does not close W
// nor the Masker).
type MaskWriter struct {
	M *Masker
	W io.Writer
}

// Write masks p and writes what can be decided; it reports len(p) on success.
func (w *MaskWriter) Write(p []byte) (int, error) {
	out, err := w.M.Mask(p)
	if err != nil {
		return 0, err
	}
	if _, err := w.W.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes what the masker held back.
func (w *MaskWriter) Close() error {
	out, err := w.M.Finish()
	if err != nil {
		return err
	}
	_, err = w.W.Write(out)
	return err
}

var _ io.WriteCloser = (*MaskWriter)(nil)

// CRC32 updates a CRC-32 (IEEE, as hash/crc32.Update with crc32.IEEETable): start with 0.
func CRC32(crc uint32, p []byte) uint32 {
	r := uint32(C.cicd_crc32(C.uint32_t(crc), unsafe.Pointer(bytesPtr(p)), C.size_t(len(p))))
	runtime.KeepAlive(p)
	return r
}
