"""mask: Masker (write, finish, mask, crc32, byte_count) and crc32, errors and ownership."""
import zlib

import pytest

import cicd


def test_values_are_masked_across_writes():
    with cicd.Masker(["s3cr3t-Value!", "hunter2hunter2"]) as m:
        out = b"".join([m.write(b"login with s3cr3t-"), m.write("Value! and hunter2"), m.write(b"hunter2 done\n"),
                        m.finish()])
        assert out == b"login with [MASKED] and [MASKED] done\n"
        assert m.crc32 == zlib.crc32(out)
        assert m.byte_count == len(out)


def test_mask_iterates_over_a_stream():
    m = cicd.Masker([b"Z"])
    chunks = list(m.mask([b"aZ", bytearray(b"bZ"), memoryview(b"Z")]))
    assert b"".join(chunks) == b"a[MASKED]b[MASKED][MASKED]"
    assert all(chunks)
    assert m.write(b"") == b""


def test_token_prefixes_and_url_params_and_their_switches():
    m = cicd.Masker([], extra_prefixes=["myco_"])
    text = b"glpat-abc ?token=x myco_123 ok"
    assert b"".join(m.mask([text])) == b"glpat-[MASKED] ?token=[MASKED] myco_[MASKED] ok"
    quiet = cicd.Masker(["zz"], token_prefixes=False, url_params=False)
    assert b"".join(quiet.mask([b"glpat-abc ?token=x zz"])) == b"glpat-abc ?token=x [MASKED]"


def test_binary_data_passes_through():
    m = cicd.Masker([b"\xff\x00secret"])
    assert b"".join(m.mask([b"\x00\x01\xff\x00secret\xfe"])) == b"\x00\x01[MASKED]\xfe"


def test_limits_raise_limit_error_with_message():
    with pytest.raises(cicd.LimitError) as ei:
        cicd.Masker(["a-long-secret", "another-one"], max_phrases=1)
    assert ei.value.message == "2 masked values, more than the limit of 1"
    assert ei.value.name == "CICD_ELIMIT"
    with pytest.raises(cicd.LimitError) as ei:
        cicd.Masker(["a-long-secret"], max_phrase_len=5)
    assert ei.value.message == "masked value 0 is 13 bytes long, more than the limit of 5"


def test_bad_arguments_are_type_errors():
    with pytest.raises(TypeError):
        cicd.Masker("single-string")
    with pytest.raises(TypeError):
        cicd.Masker([1])
    with pytest.raises(ValueError):
        cicd.Masker([], extra_prefixes=["a\0b"])
    with pytest.raises(TypeError):
        cicd.Masker(["x"]).write(12)


def test_crc32_matches_zlib():
    assert cicd.crc32(b"123456789") == 0xCBF43926
    assert cicd.crc32(b"") == 0
    data = b"The quick brown fox jumps over the lazy dog"
    assert cicd.crc32(data) == zlib.crc32(data) == 0x414FA339
    assert cicd.crc32(data[10:], cicd.crc32(data[:10])) == zlib.crc32(data)
    assert cicd.crc32("caf\u00e9") == zlib.crc32("caf\u00e9".encode())


def test_close_twice_and_use_after_close():
    m = cicd.Masker(["x"])
    m.close()
    m.close()
    for use in (lambda: m.write(b"a"), m.finish, lambda: m.crc32, lambda: m.byte_count):
        with pytest.raises(ValueError, match="masker is closed"):
            use()


def test_masker_copies_its_values():
    values = [bytearray(b"topsecret")]
    m = cicd.Masker(values)
    values[0][:] = b"XXXXXXXXX"
    del values
    assert b"".join(m.mask([b"a topsecret b"])) == b"a [MASKED] b"
