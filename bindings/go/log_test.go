package cicd

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
)

// A kubeconfig whose server refuses connections: every request fails to
// connect and is retried, which the kube client logs at LogDebug.
const closedKubeconfig = `apiVersion: v1
kind: Config
current-context: closed
clusters:
- name: closed
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: alice
  user: {token: s3cr3t-token-value}
contexts:
- name: closed
  context: {cluster: closed, user: alice}
`

type logLine struct {
	Level   LogLevel
	Message string
}

type logCollector struct {
	mu    sync.Mutex
	lines []logLine
}

func (c *logCollector) handle(level LogLevel, message string) {
	c.mu.Lock()
	c.lines = append(c.lines, logLine{level, message})
	c.mu.Unlock()
}

func (c *logCollector) take() []logLine {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.lines
	c.lines = nil
	return out
}

// getFromClosedPort makes a client with retries retries and has it fail
// once (discovery: GET /api and /apis, both refused).
func getFromClosedPort(t *testing.T, retries int) {
	t.Helper()
	cfg, err := ParseKubeConfig([]byte(closedKubeconfig), "closed.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	k, err := NewKubeClient(cfg, &KubeClientOptions{MaxRetries: retries})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if _, err := k.Get(context.Background(), "v1", "ConfigMap", "default", "settings"); !errors.Is(err, ErrHTTP) {
		t.Fatalf("get: %v", err)
	}
}

func TestLogLevelNames(t *testing.T) {
	var names []string
	for _, l := range []LogLevel{LogNone, LogError, LogWarn, LogInfo, LogDebug, LogTrace, LogLevel(9)} {
		names = append(names, l.String())
	}
	eq(t, "names", strings.Join(names, " "), "none error warn info debug trace LogLevel(9)")
	eq(t, "numbers", []LogLevel{LogNone, LogError, LogWarn, LogInfo, LogDebug, LogTrace},
		[]LogLevel{0, 1, 2, 3, 4, 5})
}

func TestLogHandlerGetsKubeRetriesAndCanBeTurnedOff(t *testing.T) {
	var c logCollector
	SetLogHandler(LogDebug, c.handle)
	defer SetLogHandler(LogNone, nil)
	getFromClosedPort(t, 2)
	lines := c.take()
	var got []string
	for _, l := range lines {
		if l.Level != LogDebug {
			t.Errorf("a line at %v with the handler at debug: %q", l.Level, l.Message)
		}
		got = append(got, l.Message)
	}
	// /api and /apis are asked in parallel: their lines may interleave.
	sort.Strings(got)
	eq(t, "retry lines", got, []string{
		"kube: GET /api: Couldn't connect to server; retrying",
		"kube: GET /api: Couldn't connect to server; retrying",
		"kube: GET /apis: Couldn't connect to server; retrying",
		"kube: GET /apis: Couldn't connect to server; retrying",
	})

	// Above the retries' level nothing arrives; turned off, nothing either.
	SetLogHandler(LogInfo, c.handle)
	getFromClosedPort(t, 1)
	eq(t, "lines at info", len(c.take()), 0)
	SetLogHandler(LogDebug, nil)
	getFromClosedPort(t, 1)
	eq(t, "lines after nil", len(c.take()), 0)
	SetLogHandler(LogNone, c.handle)
	getFromClosedPort(t, 1)
	eq(t, "lines at none", len(c.take()), 0)

	// Replacing the handler: the new one gets the lines, the old one none.
	var other logCollector
	SetLogHandler(LogDebug, c.handle)
	SetLogHandler(LogDebug, other.handle)
	getFromClosedPort(t, 1)
	eq(t, "old handler", len(c.take()), 0)
	eq(t, "new handler", len(other.take()), 2)
}

func TestLogTraceLinesAndNoSecrets(t *testing.T) {
	var c logCollector
	SetLogHandler(LogTrace, c.handle)
	defer SetLogHandler(LogNone, nil)
	getFromClosedPort(t, 1)
	lines := c.take()
	traces := 0
	for _, l := range lines {
		if strings.Contains(l.Message, "s3cr3t-token-value") || strings.Contains(l.Message, "s3cr3t") {
			t.Errorf("the kubeconfig's token reached a log line: %q", l.Message)
		}
		if l.Level == LogTrace {
			traces++
			if !strings.HasPrefix(l.Message, "kube: GET /api -> 0 (") &&
				!strings.HasPrefix(l.Message, "kube: GET /apis -> 0 (") {
				t.Errorf("trace line %q", l.Message)
			}
		}
	}
	// two attempts each of /api and /apis, every one traced
	eq(t, "trace lines", traces, 4)
	eq(t, "all lines", len(lines), 6)
}

func TestLogHandlerFromManyGoroutines(t *testing.T) {
	var c logCollector
	SetLogHandler(LogDebug, c.handle)
	defer SetLogHandler(LogNone, nil)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			getFromClosedPort(t, 1)
		}()
	}
	wg.Wait()
	eq(t, "lines from 4 clients", len(c.take()), 8)
}
