/* Turns Ctrl-C during a blocking call into the library's interrupt (see interrupt.h). */
#include "interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

static struct {
	pthread_t thread;
	sigset_t set; /* SIGINT, SIGTERM, and SIGUSR2 to end the thread */
	sigset_t saved;
	void (*stop)(void *arg);
	void *arg;
	volatile sig_atomic_t signaled;
	int running;
} g_interrupt;

static void *wait_for_signals(void *unused)
{
	(void)unused;
	for (;;) {
		int sig = 0;
		if (sigwait(&g_interrupt.set, &sig) != 0 || sig == SIGUSR2)
			return NULL;
		if (g_interrupt.signaled) {
			/* a second one: the user means it */
			static const char msg[] = "cicd: interrupted again, quitting\n";
			if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
				/* nothing more to say */
			}
			_exit(EXIT_INTERRUPTED);
		}
		g_interrupt.signaled = 1;
		fprintf(stderr, "cicd: interrupted, stopping (again to quit at once)\n");
		g_interrupt.stop(g_interrupt.arg);
	}
}

int cli_interrupt_begin(void (*stop)(void *arg), void *arg)
{
	static const int signals[] = {SIGINT, SIGTERM};
	size_t i;
	sigemptyset(&g_interrupt.set);
	for (i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		struct sigaction now;
		/* One the shell told us to ignore (nohup, a background job) stays ignored:
		 * blocked, Linux would keep it pending for sigwait instead of dropping it. */
		if (sigaction(signals[i], NULL, &now) == 0 && now.sa_handler == SIG_IGN)
			continue;
		sigaddset(&g_interrupt.set, signals[i]);
	}
	sigaddset(&g_interrupt.set, SIGUSR2);
	g_interrupt.stop = stop;
	g_interrupt.arg = arg;
	g_interrupt.signaled = 0;
	/* Blocked here, before any other thread starts, so that only the signal thread takes them. */
	if (pthread_sigmask(SIG_BLOCK, &g_interrupt.set, &g_interrupt.saved) != 0)
		return -1;
	if (pthread_create(&g_interrupt.thread, NULL, wait_for_signals, NULL) != 0) {
		pthread_sigmask(SIG_SETMASK, &g_interrupt.saved, NULL);
		return -1;
	}
	g_interrupt.running = 1;
	return 0;
}

int cli_interrupt_end(void)
{
	if (!g_interrupt.running)
		return 0;
	pthread_kill(g_interrupt.thread, SIGUSR2);
	pthread_join(g_interrupt.thread, NULL);
	g_interrupt.running = 0;
	pthread_sigmask(SIG_SETMASK, &g_interrupt.saved, NULL);
	return g_interrupt.signaled != 0;
}
