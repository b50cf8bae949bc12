#define _GNU_SOURCE /* strcasestr */
#include "http_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cicd/kube.h"
#include "test.h"

int fixture_listen(int *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	CU_ASSERT_EQUAL_FATAL(listen(fd, 8), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return fd;
}

ssize_t fixture_read_request(int fd, char *buf, size_t size, size_t *head_len)
{
	size_t len = 0;
	for (;;) {
		ssize_t n = recv(fd, buf + len, size - 1 - len, 0);
		char *end, *cl;
		size_t need;
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = 0;
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		cl = strcasestr(buf, "Content-Length:");
		need = (size_t)(end + 4 - buf) + (cl && cl < end ? (size_t)atoi(cl + 15) : 0);
		if (len < need && len < size - 1)
			continue;
		*head_len = (size_t)(end - buf);
		return (ssize_t)len;
	}
}

int fixture_send_closing(int fd, const char *reply)
{
	const char *eol = strstr(reply, "\r\n");
	size_t first = eol ? (size_t)(eol - reply) + 2 : 0;
	if (send(fd, reply, first, 0) < 0 || send(fd, "Connection: close\r\n", 19, 0) < 0 ||
	    send(fd, reply + first, strlen(reply) - first, 0) < 0)
		return -1;
	return 0;
}

cicd_kube_client *fixture_client_of(const char *kubeconfig, const cicd_kube_client_options *opts)
{
	cicd_kube_config *cfg = NULL;
	cicd_kube_client *c = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_kube_config_parse(&cfg, kubeconfig, strlen(kubeconfig), "t.yaml", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_kube_client_new(&c, cfg, opts), 0);
	cicd_kube_config_free(cfg);
	return c;
}

cicd_kube_client *fixture_client(int port)
{
	char text[512];
	snprintf(text, sizeof text,
		 "clusters:\n- name: t\n  cluster:\n    server: http://127.0.0.1:%d\n"
		 "users:\n- name: u\n  user: {token: s3cr3t-t0ken}\n"
		 "contexts:\n- name: t\n  context: {cluster: t, user: u, namespace: ns1}\ncurrent-context: t\n",
		 port);
	return fixture_client_of(text, NULL);
}
