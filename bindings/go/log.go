package cicd

/*
#include <cicd/cicd.h>

extern void cicdGoLog(int level, char *message);

static void shim_log_cb(cicd_log_level level, const char *message, void *payload)
{
	(void)payload;
	cicdGoLog((int)level, (char *)message);
}

static void shim_log_set(int level, int on)
{
	cicd_log_set((cicd_log_level)level, on ? shim_log_cb : NULL, NULL);
}
*/
import "C"

import (
	"fmt"
	"sync"
)

// LogLevel is the level of a library log line; a handler gets the lines at
// or above the level it was installed with.
type LogLevel int

const (
	LogNone  LogLevel = C.CICD_LOG_NONE
	LogError LogLevel = C.CICD_LOG_ERROR
	LogWarn  LogLevel = C.CICD_LOG_WARN
	LogInfo  LogLevel = C.CICD_LOG_INFO
	LogDebug LogLevel = C.CICD_LOG_DEBUG // the kube client's retries
	LogTrace LogLevel = C.CICD_LOG_TRACE // each kube request with its status and timing
)

// String is "none", "error", "warn", "info", "debug" or "trace".
func (l LogLevel) String() string {
	switch l {
	case LogNone:
		return "none"
	case LogError:
		return "error"
	case LogWarn:
		return "warn"
	case LogInfo:
		return "info"
	case LogDebug:
		return "debug"
	case LogTrace:
		return "trace"
	}
	return fmt.Sprintf("LogLevel(%d)", int(l))
}

// The installed handler. The library holds no Go value: its callback finds
// the handler here, so replacing or removing one never leaves the library
// pointing at something freed.
var (
	logMu      sync.Mutex
	logHandler func(LogLevel, string)
)

// SetLogHandler sends every library log line at or above level to fn,
// with secrets already redacted. fn runs on the goroutine (or thread) that
// logs, during the library call, so it should be quick. A nil fn or LogNone turns logging off. Process-wide: one
// handler at a time; set it before the calls whose lines you want.
func SetLogHandler(level LogLevel, fn func(level LogLevel, message string)) {
	logMu.Lock()
	defer logMu.Unlock()
	if fn == nil || level <= LogNone {
		// the library stops calling first; a line already on its way finds no handler
		C.shim_log_set(C.int(LogNone), 0)
		logHandler = nil
		return
	}
	logHandler = fn
	C.shim_log_set(C.int(level), 1)
}

func deliverLog(level LogLevel, message string) {
	logMu.Lock()
	fn := logHandler
	logMu.Unlock()
	if fn != nil {
		fn(level, message)
	}
}
