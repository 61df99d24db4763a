// SPDX-License-Identifier: Apache-2.0
/*
 * A signal that arrives just as its target enters a blocking call still
 * interrupts the call (kernel/signal.c signal_wake_up, the pending check of
 * every sleep). Round after round, a child says it is ready and at once
 * blocks reading a pipe that only the parent could write; the parent sends
 * the signal as soon as it hears from the child, so that it lands before,
 * during or after the child's entry into read. SIGTERM (default action)
 * must kill the child, and SIGUSR1 must run its handler, which exits; a
 * child still blocked after two seconds is a lost signal.
 */
#include "sig.h"

#define ROUNDS 100
#define PATIENCE_MS 2000
#define HANDLER_STATUS 7

static void exit_from_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	_exit(HANDLER_STATUS);
}

/* A child that reports ready on a pipe, then reads once from its gate,
 * which only the parent can write; SIGUSR1's handler ends it. */
static pid_t hold_reading(const char *what, int *gate)
{
	int g[2], ready[2];
	unsigned char c = 0;
	pid_t pid;

	*gate = -1;
	if (!proc_pipe(what, g))
		return -1;
	if (!proc_pipe(what, ready)) {
		proc_close(&g[0]);
		proc_close(&g[1]);
		return -1;
	}
	pid = proc_fork(what);
	if (pid == 0) {
		ssize_t n;

		proc_close_others(g[0], ready[1]);
		sig_install("child", SIGUSR1, exit_from_handler, 0, NULL);
		if (!proc_send(ready[1], &c, 1))
			_exit(2);
		n = read(g[0], &c, 1);
		_exit(n == 1 ? c : PROC_EOF_STATUS);
	}
	proc_close(&g[0]);
	proc_close(&ready[1]);
	if (pid > 0 && !proc_recv(what, ready[0], &c, 1)) {
		kill(pid, SIGKILL);
		proc_wait(pid, NULL, 0);
		pid = -1;
	}
	proc_close(&ready[0]);
	if (pid > 0)
		*gate = g[1];
	else
		proc_close(&g[1]);
	return pid;
}

/* Waits up to PATIENCE_MS for pid to end; its status, or -1 while it
 * still runs. */
static int await_end(pid_t pid)
{
	int status;

	for (int i = 0; i < PATIENCE_MS; i++) {
		pid_t r = proc_wait(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -2;
		proc_sleep_ms(1);
	}
	return -1;
}

static void rounds(const char *what, int sig, int expected)
{
	int lost = 0, wrong = 0;

	for (int i = 0; i < ROUNDS && !lost && !wrong; i++) {
		int gate, status;
		pid_t pid = hold_reading(what, &gate);

		if (pid <= 0)
			return;
		kill(pid, sig);
		status = await_end(pid);
		if (status == -1) {
			fail("%s, round %d: expected the child to end at once got it still blocked in read after %d ms",
			     what, i + 1, PATIENCE_MS);
			lost = 1;
			/* Its read returns now: it exits, or the signal that
			 * waited is acted on at last. */
			proc_release(&gate, 0);
			proc_wait(pid, &status, 0);
			continue;
		}
		proc_close(&gate);
		if (status != expected) {
			char w[160];

			snprintf(w, sizeof(w), "%s, round %d", what, i + 1);
			check_status(w, expected, status);
			wrong = 1;
		}
	}
}

int main(void)
{
	proc_default_signals();
	rounds("SIGTERM to a child entering read", SIGTERM,
	       PROC_KILLED(SIGTERM));
	rounds("SIGUSR1 with a handler to a child entering read", SIGUSR1,
	       PROC_EXITED(HANDLER_STATUS));
	proc_finish();
	printf("signal_kill_race: done\n");
	return check_exit("signal_kill_race");
}
