/*
 * Ctrl-C (SIGINT) and SIGTERM while a blocking library call runs: the first
 * asks the library to stop the call (a deploy job then ends canceled, with
 * what it applied), a second one ends the process at once. A thread waits
 * for the signals, so the library's interrupt call never runs inside a
 * signal handler.
 */
#ifndef CICD_TOOL_INTERRUPT_H
#define CICD_TOOL_INTERRUPT_H

/* Exit status of a command stopped by a signal: 128 + SIGINT, as shells report it. */
enum { EXIT_INTERRUPTED = 130 };

/*
 * Until cli_interrupt_end(), the first SIGINT or SIGTERM calls stop(arg) on
 * the signal thread and says so on stderr. Returns 0, or -1 when the thread
 * could not start (the signals then keep their default action).
 */
int cli_interrupt_begin(void (*stop)(void *arg), void *arg);

/* Restores the default handling; returns 1 when a signal came meanwhile. */
int cli_interrupt_end(void);

#endif
