/*
 * Ctrl-C during a blocking call made from the main thread. Python's own
 * SIGINT handler only records the signal; the Python-level handler (the one
 * raising KeyboardInterrupt) runs when the interpreter gets control back,
 * so a call waiting on the network would notice Ctrl-C only at its next
 * callback, if any.
 *
 * While such a call runs (armed below), SIGINT first goes to
 * cicd_py_sigint(), which writes the call's generation to a pipe, all a
 * signal handler may safely do, then hands the signal to Python's handler. A
 * relay thread reading the pipe cancels the call (the kube client's cancel,
 * the deploy store's interrupt; neither is async-signal-safe, so not from
 * the handler itself). Disarming clears that cancel and runs the Python
 * handler: what it raises (KeyboardInterrupt) replaces the call's
 * CanceledError. The generation keeps a signal meant for one call from
 * canceling the next.
 */
%{
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

typedef struct cicd_py_sigint_guard {
	void (*cancel)(void *target);
	void (*clear)(void *target);
	void *target;
	unsigned char generation;
	int armed, fired;
} cicd_py_sigint_guard;

static pthread_mutex_t cicd_py_sigint_lock = PTHREAD_MUTEX_INITIALIZER;
static cicd_py_sigint_guard *cicd_py_sigint_current; /* with the lock */
static int cicd_py_sigint_relay_running;             /* with the GIL */
static int cicd_py_sigint_pipe[2] = {-1, -1};
static struct sigaction cicd_py_sigint_python; /* the handler we chain to; set while armed */
static volatile sig_atomic_t cicd_py_sigint_generation;
static unsigned long cicd_py_main_thread;

static void cicd_py_sigint(int sig, siginfo_t *info, void *context)
{
	int saved = errno;
	unsigned char g = (unsigned char)cicd_py_sigint_generation;
	if (write(cicd_py_sigint_pipe[1], &g, 1) < 0) {
		/* the pipe is full of earlier signals: the relay has enough to act on */
	}
	if (cicd_py_sigint_python.sa_flags & SA_SIGINFO)
		cicd_py_sigint_python.sa_sigaction(sig, info, context);
	else if (cicd_py_sigint_python.sa_handler != SIG_IGN && cicd_py_sigint_python.sa_handler != SIG_DFL)
		cicd_py_sigint_python.sa_handler(sig);
	errno = saved;
}

static void *cicd_py_sigint_relay(void *unused)
{
	(void)unused;
	for (;;) {
		unsigned char g;
		ssize_t n = read(cicd_py_sigint_pipe[0], &g, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		pthread_mutex_lock(&cicd_py_sigint_lock);
		if (cicd_py_sigint_current && cicd_py_sigint_current->generation == g && !cicd_py_sigint_current->fired) {
			cicd_py_sigint_current->cancel(cicd_py_sigint_current->target);
			cicd_py_sigint_current->fired = 1;
		}
		pthread_mutex_unlock(&cicd_py_sigint_lock);
	}
}

/* A forked child has no relay thread: the next armed call starts one. */
static void cicd_py_sigint_after_fork(void)
{
	cicd_py_sigint_relay_running = 0;
	cicd_py_sigint_current = NULL;
	pthread_mutex_init(&cicd_py_sigint_lock, NULL);
}

static int cicd_py_sigint_start_relay(void)
{
	pthread_attr_t attr;
	pthread_t thread;
	sigset_t all, old;
	int rc;
	if (cicd_py_sigint_relay_running)
		return 0;
	if (cicd_py_sigint_pipe[0] < 0) {
		if (pipe2(cicd_py_sigint_pipe, O_CLOEXEC) < 0)
			return -1;
		fcntl(cicd_py_sigint_pipe[1], F_SETFL, O_NONBLOCK);
		pthread_atfork(NULL, NULL, cicd_py_sigint_after_fork);
	}
	/* The relay blocks every signal, so none is delivered to it instead of the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&thread, &attr, cicd_py_sigint_relay, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -1;
	cicd_py_sigint_relay_running = 1;
	return 0;
}

/*
 * With the GIL, before the call releases it: routes SIGINT to cancel(target)
 * when the call runs in the main thread, Python handles SIGINT, and no
 * outer call is armed already. Otherwise the call runs as it would anyway.
 */
static void cicd_py_sigint_arm(cicd_py_sigint_guard *g, void (*cancel)(void *), void (*clear)(void *), void *target)
{
	struct sigaction ours, python;
	memset(g, 0, sizeof *g);
	if (!target || PyThread_get_thread_ident() != cicd_py_main_thread || cicd_py_sigint_current)
		return;
	if (sigaction(SIGINT, NULL, &python) < 0 || (!(python.sa_flags & SA_SIGINFO) &&
						      (python.sa_handler == SIG_IGN || python.sa_handler == SIG_DFL)))
		return;
	if (cicd_py_sigint_start_relay() < 0)
		return;
	g->cancel = cancel;
	g->clear = clear;
	g->target = target;
	g->generation = (unsigned char)(cicd_py_sigint_generation + 1);
	cicd_py_sigint_generation = g->generation;
	cicd_py_sigint_python = python;
	pthread_mutex_lock(&cicd_py_sigint_lock);
	cicd_py_sigint_current = g;
	pthread_mutex_unlock(&cicd_py_sigint_lock);
	memset(&ours, 0, sizeof ours);
	ours.sa_sigaction = cicd_py_sigint;
	ours.sa_mask = python.sa_mask;
	ours.sa_flags = (python.sa_flags & ~SA_RESETHAND) | SA_SIGINFO;
	if (sigaction(SIGINT, &ours, NULL) < 0) {
		pthread_mutex_lock(&cicd_py_sigint_lock);
		cicd_py_sigint_current = NULL;
		pthread_mutex_unlock(&cicd_py_sigint_lock);
		return;
	}
	g->armed = 1;
}

/*
 * With the GIL, after the call: gives SIGINT back to Python's handler. When a
 * signal canceled the call, clears that cancel and runs the Python handler:
 * -1 when it raised (the exception is set; return NULL), else 0.
 */
static int cicd_py_sigint_disarm(cicd_py_sigint_guard *g)
{
	int fired;
	if (!g->armed)
		return 0;
	sigaction(SIGINT, &cicd_py_sigint_python, NULL);
	pthread_mutex_lock(&cicd_py_sigint_lock);
	cicd_py_sigint_current = NULL;
	fired = g->fired;
	pthread_mutex_unlock(&cicd_py_sigint_lock);
	g->armed = 0;
	if (!fired)
		return 0;
	g->clear(g->target);
	return PyErr_CheckSignals() < 0 ? -1 : 0;
}
%}

%init %{
	/* Ctrl-C reaches only the main thread's handlers: only its calls are armed. */
	{
		PyObject *threading = PyImport_ImportModule("threading");
		PyObject *main = threading ? PyObject_CallMethod(threading, "main_thread", NULL) : NULL;
		PyObject *ident = main ? PyObject_GetAttrString(main, "ident") : NULL;
		cicd_py_main_thread = ident ? PyLong_AsUnsignedLong(ident) : PyThread_get_thread_ident();
		if (PyErr_Occurred())
			PyErr_Clear();
		Py_XDECREF(ident);
		Py_XDECREF(main);
		Py_XDECREF(threading);
	}
%}
