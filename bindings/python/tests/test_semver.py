"""semver: Version (parse, coerce, parts, comparisons, hashing, inc, diff, copy), Range (parse,
text, test, in, max/min satisfying), sort_versions, compare, satisfies; errors; ownership."""
import gc

import pytest

import cicd


def test_parse_parts_text_and_hash():
    v = cicd.Version("1.2.3-rc.1+b.5")
    assert (str(v), repr(v)) == ("1.2.3-rc.1+b.5", "Version('1.2.3-rc.1+b.5')")
    assert (v.major, v.minor, v.patch, v.prerelease, v.build, v.version) == (1, 2, 3, "rc.1", "b.5", "1.2.3-rc.1")
    assert v == cicd.Version("1.2.3-rc.1") == "1.2.3-rc.1+other"  # build metadata is ignored
    assert hash(v) == hash(cicd.Version("1.2.3-rc.1"))
    assert len({cicd.Version("1.0.0"), cicd.Version("1.0.0+x"), cicd.Version("1.0.1")}) == 2
    big = cicd.Version("99999999999999999999.0.0")
    assert big.major == 99999999999999999999 and big > "18446744073709551615.0.0"
    assert str(cicd.Version("v01.2.3", loose=True)) == "1.2.3"
    assert str(cicd.Version(b"1.0.0")) == "1.0.0"


def test_parse_errors_limits_and_coerce():
    with pytest.raises(cicd.ParseError) as ei:
        cicd.Version("1.2")
    e = ei.value
    assert (e.message, e.line, e.column) == ("not a version: \"1.2\" (column 4: expected '.')", 1, 4)
    with pytest.raises(cicd.ParseError):
        cicd.Version("v1.2.3")  # strict by default
    with pytest.raises(cicd.LimitError) as ei:
        cicd.Version("1.2.3", max_length=3)
    assert ei.value.message == "version longer than 3 characters"
    assert str(cicd.Version.coerce("release 1.4 final")) == "1.4.0"
    with pytest.raises(cicd.NotFoundError) as ei:
        cicd.Version.coerce("none")
    assert ei.value.message == 'no version found in "none"'


def test_ordering_and_sorting():
    texts = ["1.10.0", "1.2.0", "1.2.0-rc.1", "1.2.0-rc.10", "1.2.0-rc.2"]
    assert [str(v) for v in sorted(map(cicd.Version, texts))] == [
        "1.2.0-rc.1", "1.2.0-rc.2", "1.2.0-rc.10", "1.2.0", "1.10.0"]
    a, b = cicd.Version("1.0.0+b"), cicd.Version("1.0.0+a")
    assert a == b and not a < b and a <= b and a.compare(b) == 0 and a.compare_build(b) == 1
    assert [str(v) for v in cicd.sort_versions([a, "0.9.0", b])] == ["0.9.0", "1.0.0+a", "1.0.0+b"]
    assert [str(v) for v in cicd.sort_versions(["1.0.0+b", "1.0.0+a", "0.9.0"], reverse=True)] == [
        "1.0.0+b", "1.0.0+a", "0.9.0"]
    same = cicd.Version("2.0.0")
    assert [v is same for v in cicd.sort_versions([same, "1.0.0", same])] == [False, True, True]
    assert cicd.compare("1.2.3", "1.10.0") == -1 and cicd.compare("v1.2.3", "1.2.3", loose=True) == 0
    with pytest.raises(cicd.ParseError) as ei:
        cicd.compare("1.2.3", "x")
    assert ei.value.column == 1
    with pytest.raises(TypeError):
        cicd.Version("1.0.0") < 1


def test_inc_diff_copy():
    v = cicd.Version("1.2.3-rc.1+b.5")
    assert [str(v.inc(k)) for k in ("major", "minor", "patch", "prerelease", "release")] == [
        "2.0.0", "1.3.0", "1.2.3", "1.2.3-rc.2", "1.2.3"]
    assert str(v.inc("preminor", "beta")) == "1.3.0-beta.0"
    with pytest.raises(cicd.InvalidArgumentError) as ei:
        v.inc("bogus")
    assert ei.value.message == 'unknown release type "bogus"'
    with pytest.raises(cicd.InvalidArgumentError) as ei:
        cicd.Version("1.2.3").inc("release")
    assert ei.value.message == "version is not a pre-release"
    assert (v.diff("1.2.3"), v.diff("2.0.0"), v.diff("1.2.3-rc.1+other")) == ("patch", "major", None)
    c = v.copy()
    assert c == v and c is not v and str(c) == str(v)


def test_ranges():
    r = cicd.Range("^1.2 || >=3.0.0-rc.1")
    assert str(r) == ">=1.2.0 <2.0.0-0||>=3.0.0-rc.1" and repr(r) == "Range('>=1.2.0 <2.0.0-0||>=3.0.0-rc.1')"
    assert "1.5.0" in r and "2.0.0" not in r and "3.0.0-rc.2" in r
    assert r.test(cicd.Version("1.2.0")) and not r.test("1.3.0-rc.1")
    assert cicd.Range("^1.2", include_prerelease=True).test("1.3.0-rc.1")
    assert cicd.Version("1.4.0").satisfies("~1.4") and not cicd.Version("1.5.0").satisfies(cicd.Range("~1.4"))
    versions = ["1.2.0", "1.9.9", "2.0.0"]
    assert str(cicd.Range("^1.2").max_satisfying(versions)) == "1.9.9"
    assert str(cicd.Range("^1.2").min_satisfying(versions)) == "1.2.0"
    assert cicd.Range("^5").max_satisfying(versions) is None and cicd.Range("^5").min_satisfying([]) is None
    assert cicd.satisfies("1.3.0", "^1.2") and not cicd.satisfies("1.3.0-rc.1", "^1.2")
    assert cicd.satisfies("1.3.0-rc.1", "^1.2", include_prerelease=True)
    with pytest.raises(cicd.ParseError) as ei:
        cicd.Range("^1.2 ||| x y")
    assert ei.value.message == 'invalid range: comparator "|"'
    with pytest.raises(cicd.ParseError):
        cicd.satisfies("1.3.0", "^^")
    with pytest.raises(cicd.LimitError) as ei:
        cicd.Range(">=1.0.0", max_range_length=3)
    assert ei.value.message == "range longer than 3 bytes"


def test_temporaries_live_through_the_call_and_versions_outlive_lists():
    # Versions made on the fly from str must not be freed before the C call reads them.
    r = cicd.Range("^1.2")
    for _ in range(200):
        assert "1.5.0" in r and cicd.Version("1.5.0") > "1.4.9" and cicd.Version("1.5.0").diff("1.5.1") == "patch"
    best = cicd.Range(">=1").max_satisfying(["1.0.0", "3.0.0", "2.0.0"])
    gc.collect()
    assert str(best) == "3.0.0"
    sorted_ = cicd.sort_versions(["2.0.0", "1.0.0"])
    gc.collect()
    assert [str(v) for v in sorted_] == ["1.0.0", "2.0.0"]


def test_range_tests_text_with_its_own_options():
    strict, loose = cicd.Range("^1.2"), cicd.Range("^1.2", loose=True)
    assert strict.test("1.5.0") and not strict.test("2.0.0") and b"1.5.0" in strict
    assert loose.test("=1.2.5") and "v1.9.9" in loose
    # a strict range refuses a loose version; a Version object is tested as it is
    with pytest.raises(cicd.ParseError) as e:
        strict.test("=1.2.5")
    assert (e.value.message, e.value.column) == ('not a version: "=1.2.5" (column 1: expected a number)', 1)
    assert strict.test(cicd.Version("=1.2.5", loose=True))
    with pytest.raises(cicd.ParseError):
        "" in loose
