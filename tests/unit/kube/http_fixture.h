/*
 * A loopback HTTP/1.1 server for the kube unit tests: requests are served one
 * per connection ("Connection: close"), so curl's parallel requests arrive
 * one after another on separate connections.
 */
#ifndef CICD_TEST_HTTP_FIXTURE_H
#define CICD_TEST_HTTP_FIXTURE_H

#include <stddef.h>
#include <sys/types.h>

#include "cicd/kube.h"

/* A socket listening on a free loopback port (written to *port). */
int fixture_listen(int *port);

/* Reads one request, headers and Content-Length body, into buf (NUL-terminated);
 * returns its length, or -1 when the peer closed first. *head_len is the length of
 * the header block without its blank line. */
ssize_t fixture_read_request(int fd, char *buf, size_t size, size_t *head_len);

/* Sends reply with "Connection: close" added after its status line; 0 or -1. */
int fixture_send_closing(int fd, const char *reply);

/* A client from the kubeconfig text, with the given options (NULL: defaults). */
cicd_kube_client *fixture_client_of(const char *kubeconfig, const cicd_kube_client_options *opts);

/* A client of http://127.0.0.1:port with a bearer token and default namespace ns1. */
cicd_kube_client *fixture_client(int port);

#endif
