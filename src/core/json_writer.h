/*
 * Internal: writing JSON over yajl's generator into a cicd_buf. Errors
 * (invalid UTF-8, out of memory, unbalanced calls) stick: the first one is
 * kept and returned by every later call and by cicd__json_finish().
 */
#ifndef CICD_CORE_JSON_WRITER_H
#define CICD_CORE_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "cicd/buffer.h"

typedef struct cicd_json_writer cicd_json_writer;

/* pretty: two-space indentation. Output is appended to *out. */
cicd_json_writer *cicd__json_new(cicd_buf *out, int pretty);
/* Ends the document (adds a newline when pretty) and frees the writer; returns the first error or 0. */
int cicd__json_finish(cicd_json_writer *w);
/* Frees without finishing (after a failure). */
void cicd__json_abandon(cicd_json_writer *w);

int cicd__json_begin_object(cicd_json_writer *w);
int cicd__json_end_object(cicd_json_writer *w);
int cicd__json_begin_array(cicd_json_writer *w);
int cicd__json_end_array(cicd_json_writer *w);
/* A key inside an object. */
int cicd__json_key(cicd_json_writer *w, const char *key);
int cicd__json_string(cicd_json_writer *w, const char *s);
int cicd__json_string_n(cicd_json_writer *w, const char *s, size_t len);
/* NULL writes null. */
int cicd__json_string_or_null(cicd_json_writer *w, const char *s);
int cicd__json_int(cicd_json_writer *w, long long v);
int cicd__json_uint(cicd_json_writer *w, unsigned long long v);
int cicd__json_double(cicd_json_writer *w, double v);
/* A number given as JSON number text, written as is. */
int cicd__json_number_text(cicd_json_writer *w, const char *text, size_t len);
int cicd__json_bool(cicd_json_writer *w, int v);
int cicd__json_null(cicd_json_writer *w);

/* Shorthands for "key": value. */
int cicd__json_kv_string(cicd_json_writer *w, const char *key, const char *value);
int cicd__json_kv_int(cicd_json_writer *w, const char *key, long long value);
int cicd__json_kv_bool(cicd_json_writer *w, const char *key, int value);

#endif
