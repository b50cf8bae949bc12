package cicd

import (
	"bytes"
	"errors"
	"hash/crc32"
	"sync"
	"testing"
)

func mustMasker(t *testing.T, values []string, o *MaskOptions) *Masker {
	t.Helper()
	m, err := NewMasker(values, o)
	if err != nil {
		t.Fatalf("masker: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func maskAll(t *testing.T, m *Masker, chunks ...string) string {
	t.Helper()
	var out []byte
	for _, c := range chunks {
		b, err := m.Mask([]byte(c))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	b, err := m.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return string(append(out, b...))
}

func TestMaskAcrossWritesWithChecksum(t *testing.T) {
	m := mustMasker(t, []string{"s3cr3t-Value!", "hunter2hunter2"}, nil)
	got := maskAll(t, m, "login with s3cr3t-", "Value! and hunter2", "hunter2 done\n")
	if got != "login with [MASKED] and [MASKED] done\n" {
		t.Fatalf("masked %q", got)
	}
	if m.CRC32() != crc32.ChecksumIEEE([]byte(got)) || m.Size() != uint64(len(got)) {
		t.Fatalf("crc %08x size %d", m.CRC32(), m.Size())
	}
}

func TestMaskPrefixesParamsAndSwitches(t *testing.T) {
	m := mustMasker(t, nil, &MaskOptions{ExtraPrefixes: []string{"myco_"}})
	if got := maskAll(t, m, "glpat-abc ?token=x myco_123 ok"); got != "glpat-[MASKED] ?token=[MASKED] myco_[MASKED] ok" {
		t.Fatalf("masked %q", got)
	}
	q := mustMasker(t, []string{"zz"}, &MaskOptions{NoTokenPrefixes: true, NoURLParams: true})
	if got := maskAll(t, q, "glpat-abc ?token=x zz"); got != "glpat-abc ?token=x [MASKED]" {
		t.Fatalf("quiet %q", got)
	}
}

func TestMaskWriter(t *testing.T) {
	m := mustMasker(t, []string{"Z"}, nil)
	var sink bytes.Buffer
	w := &MaskWriter{M: m, W: &sink}
	for _, c := range []string{"aZ", "bZ", "Z"} {
		if n, err := w.Write([]byte(c)); err != nil || n != len(c) {
			t.Fatalf("write %d %v", n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if sink.String() != "a[MASKED]b[MASKED][MASKED]" {
		t.Fatalf("sink %q", sink.String())
	}
}

func TestMaskBinaryData(t *testing.T) {
	m := mustMasker(t, []string{"\xff\x00secret"}, nil)
	if got := maskAll(t, m, "\x00\x01\xff\x00secret\xfe"); got != "\x00\x01[MASKED]\xfe" {
		t.Fatalf("masked %q", got)
	}
}

func TestMaskLimitsAndBadArguments(t *testing.T) {
	_, err := NewMasker([]string{"a-long-secret", "another-one"}, &MaskOptions{MaxPhrases: 1})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrLimit) || e.Message != "2 masked values, more than the limit of 1" {
		t.Fatalf("phrases: %v", err)
	}
	_, err = NewMasker([]string{"a-long-secret"}, &MaskOptions{MaxPhraseLen: 5})
	if !errors.As(err, &e) || e.Message != "masked value 0 is 13 bytes long, more than the limit of 5" {
		t.Fatalf("length: %v", err)
	}
	if _, err := NewMasker(nil, &MaskOptions{ExtraPrefixes: []string{"a\x00b"}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nul prefix: %v", err)
	}
}

func TestCRC32MatchesHashCRC32(t *testing.T) {
	if CRC32(0, []byte("123456789")) != 0xCBF43926 || CRC32(0, nil) != 0 {
		t.Fatal("check values")
	}
	data := []byte("The quick brown fox jumps over the lazy dog")
	if CRC32(CRC32(0, data[:10]), data[10:]) != crc32.ChecksumIEEE(data) {
		t.Fatal("incremental")
	}
}

func TestMaskerCopiesValuesCloseTwiceUseAfterClose(t *testing.T) {
	secret := []byte("topsecret")
	m, err := NewMasker([]string{string(secret)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	copy(secret, "XXXXXXXXX")
	if got := maskAll(t, m, "a topsecret b"); got != "a [MASKED] b" {
		t.Fatalf("masked %q", got)
	}
	m.Close()
	m.Close()
	for name, use := range map[string]func(){
		"Mask":   func() { m.Mask([]byte("x")) },
		"Finish": func() { m.Finish() },
		"CRC32":  func() { m.CRC32() },
		"Size":   func() { m.Size() },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s after Close did not panic", name)
				}
			}()
			use()
		}()
	}
}

func TestMaskerSharedBetweenGoroutines(t *testing.T) {
	m := mustMasker(t, []string{"hunter2hunter2"}, nil)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := m.Mask([]byte("line hunter2hunter2\n")); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if _, err := m.Finish(); err != nil {
		t.Fatal(err)
	}
	if m.Size() != uint64(800*len("line [MASKED]\n")) {
		t.Fatalf("size %d", m.Size())
	}
}
