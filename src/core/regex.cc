// RE2 behind a C interface. C++ stays in this file: exceptions never cross
// it (RE2 does not throw; allocation failures are caught and reported).
#include "regex.h"

#include <re2/re2.h>

#include <cstring>
#include <map>
#include <new>
#include <string>
#include <vector>

extern "C" {
#include "cicd/errors.h"
}

struct cicd_regex {
	RE2 *re;
	std::vector<std::string> names; // index = group number; "" when unnamed
};

static void copy_err(char *errbuf, size_t errcap, const std::string &msg)
{
	if (!errbuf || !errcap)
		return;
	size_t n = msg.size() < errcap - 1 ? msg.size() : errcap - 1;
	std::memcpy(errbuf, msg.data(), n);
	errbuf[n] = '\0';
}

extern "C" int cicd__regex_compile(cicd_regex **out, const char *pattern, size_t len, unsigned int flags,
				   char *errbuf, size_t errcap)
{
	*out = nullptr;
	try {
		RE2::Options opts;
		opts.set_log_errors(false);
		opts.set_encoding(RE2::Options::EncodingUTF8);
		opts.set_case_sensitive(!(flags & CICD_REGEX_ICASE));
		opts.set_dot_nl((flags & CICD_REGEX_DOTALL) != 0);
		opts.set_max_mem(8 << 20);
		std::string pat(pattern, len);
		// RE2 has no multiline option; the inline flag does the same.
		if (flags & CICD_REGEX_MULTILINE)
			pat = "(?m)" + pat;
		RE2 *re = new RE2(pat, opts);
		if (!re->ok()) {
			int code = re->error_code() == RE2::ErrorPatternTooLarge ? CICD_ELIMIT : CICD_EPARSE;
			copy_err(errbuf, errcap, re->error());
			delete re;
			return code;
		}
		cicd_regex *r = new cicd_regex;
		r->re = re;
		r->names.assign(static_cast<size_t>(re->NumberOfCapturingGroups()) + 1, std::string());
		for (const auto &kv : re->CapturingGroupNames())
			if (kv.first >= 0 && static_cast<size_t>(kv.first) < r->names.size())
				r->names[static_cast<size_t>(kv.first)] = kv.second;
		*out = r;
		return 0;
	} catch (const std::bad_alloc &) {
		copy_err(errbuf, errcap, "out of memory");
		return CICD_ENOMEM;
	}
}

extern "C" void cicd__regex_free(cicd_regex *re)
{
	if (!re)
		return;
	delete re->re;
	delete re;
}

extern "C" int cicd__regex_search(const cicd_regex *re, const char *text, size_t len)
{
	return RE2::PartialMatch(re2::StringPiece(text, len), *re->re) ? 1 : 0;
}

extern "C" int cicd__regex_full_match(const cicd_regex *re, const char *text, size_t len)
{
	return RE2::FullMatch(re2::StringPiece(text, len), *re->re) ? 1 : 0;
}

extern "C" int cicd__regex_group_count(const cicd_regex *re)
{
	return re->re->NumberOfCapturingGroups();
}

extern "C" const char *cicd__regex_group_name(const cicd_regex *re, int i)
{
	if (i < 1 || static_cast<size_t>(i) >= re->names.size() || re->names[static_cast<size_t>(i)].empty())
		return nullptr;
	return re->names[static_cast<size_t>(i)].c_str();
}

extern "C" int cicd__regex_group_index(const cicd_regex *re, const char *name)
{
	for (size_t i = 1; i < re->names.size(); i++)
		if (re->names[i] == name)
			return static_cast<int>(i);
	return -1;
}

extern "C" int cicd__regex_match(const cicd_regex *re, const char *text, size_t len, int full, cicd_regex_span *spans,
				 int nspans)
{
	try {
		int groups = re->re->NumberOfCapturingGroups() + 1;
		int n = nspans < groups ? nspans : groups;
		if (n < 1)
			n = 1;
		std::vector<re2::StringPiece> sub(static_cast<size_t>(n));
		re2::StringPiece input(text, len);
		if (!re->re->Match(input, 0, len, full ? RE2::ANCHOR_BOTH : RE2::UNANCHORED, sub.data(), n))
			return 0;
		for (int i = 0; i < nspans; i++) {
			if (i < n && sub[static_cast<size_t>(i)].data() != nullptr) {
				spans[i].start = static_cast<long>(sub[static_cast<size_t>(i)].data() - text);
				spans[i].end = spans[i].start + static_cast<long>(sub[static_cast<size_t>(i)].size());
			} else {
				spans[i].start = -1;
				spans[i].end = -1;
			}
		}
		return 1;
	} catch (const std::bad_alloc &) {
		return 0;
	}
}
