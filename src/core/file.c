#include "file.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "error.h"

static int io_error(const char *path, int err)
{
	char reason[256];
	snprintf(reason, sizeof reason, "%s", strerror(err));
	reason[0] = (char)tolower((unsigned char)reason[0]);
	return cicd__error_set_at(CICD_EIO, path, 0, 0, "cannot read '%s': %s", path, reason);
}

int cicd__file_read(const char *path, size_t max_bytes, char **out, size_t *len)
{
	FILE *f;
	struct stat st;
	char *data = NULL;
	size_t cap, size = 0;
	*out = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (!f)
		return io_error(path, errno);
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return io_error(path, EISDIR);
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max_bytes) {
		fclose(f);
		return cicd__error_set_at(CICD_ELIMIT, path, 0, 0, "'%s' is %llu bytes, over the limit of %zu bytes", path,
					  (unsigned long long)st.st_size, max_bytes);
	}
	cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	data = cicd__malloc(cap);
	if (!data) {
		fclose(f);
		return cicd__error_oom();
	}
	for (;;) {
		size_t n;
		if (size + 1 >= cap) {
			char *p;
			if (cap > max_bytes + 1) {
				cicd__free(data);
				fclose(f);
				return cicd__error_set_at(CICD_ELIMIT, path, 0, 0, "'%s' is over the limit of %zu bytes",
							  path, max_bytes);
			}
			p = cicd__realloc(data, cap * 2);
			if (!p) {
				cicd__free(data);
				fclose(f);
				return cicd__error_oom();
			}
			data = p;
			cap *= 2;
		}
		n = fread(data + size, 1, cap - size - 1, f);
		size += n;
		if (n == 0) {
			if (ferror(f)) {
				int err = errno;
				cicd__free(data);
				fclose(f);
				return io_error(path, err ? err : EIO);
			}
			break;
		}
	}
	fclose(f);
	if (size > max_bytes) {
		cicd__free(data);
		return cicd__error_set_at(CICD_ELIMIT, path, 0, 0, "'%s' is over the limit of %zu bytes", path, max_bytes);
	}
	data[size] = '\0';
	*out = data;
	*len = size;
	return 0;
}
