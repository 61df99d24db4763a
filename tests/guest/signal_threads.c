// SPDX-License-Identifier: Apache-2.0
/*
 * Signals and threads (kernel/signal.c complete_signal, dequeue_signal): a
 * tgkill to a thread spinning in user code, which makes no syscall,
 * interrupts it and runs the handler on that thread (gettid in the
 * handler), which then returns into the loop. A process-directed signal
 * (kill, from the process itself or from another) that one thread blocks
 * goes to a thread that does not: its handler runs there, and nothing is
 * left pending for the process. A thread's queue and the process's are
 * apart: a standard signal pending in both is delivered twice. A handler
 * in a second thread may end the whole process: _exit (exit_group) there
 * ends every thread, the main one waiting in pthread_join, with its
 * status.
 */
#include "sig.h"

#include <pthread.h>

#define WAIT_MS 3000

static pid_t me;
static volatile pid_t handler_tid;
static volatile int hits, handler_code, stop;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	handler_tid = gettid();
	handler_code = si->si_code;
	hits++;
	stop = 1;
}

static void reset(void)
{
	handler_tid = 0;
	handler_code = -1;
	hits = 0;
	stop = 0;
}

/* Waits up to WAIT_MS for *flag to become nonzero; nonzero if it did. */
static int await(volatile int *flag)
{
	for (int i = 0; i < WAIT_MS && !*flag; i++)
		proc_sleep_ms(1);
	return *flag;
}

static volatile pid_t spinner_tid;
static volatile int spinner_up;
static volatile unsigned long spins;

static void *spinner(void *arg)
{
	(void)arg;
	spinner_tid = gettid();
	spinner_up = 1;
	/* No syscall from here on until a handler sets stop. */
	while (!stop)
		spins++;
	return NULL;
}

static void spinning_thread(void)
{
	pthread_t th;
	int err;

	reset();
	spinner_up = 0;
	sig_install("spinning thread", SIGUSR1, on_signal, 0, NULL);
	err = pthread_create(&th, NULL, spinner, NULL);
	if (err) {
		fail("spinning thread: pthread_create: %s", err_name(err));
		return;
	}
	if (!check_true("spinning thread: it starts", await(&spinner_up)))
		goto out;
	CHECK_OK("spinning thread: tgkill", sig_tgkill(me, spinner_tid, SIGUSR1));
	if (check_true("spinning thread: the handler runs", await(&hits))) {
		check_long("spinning thread: the handler runs on that thread",
			   spinner_tid, handler_tid);
		check_long("spinning thread: si_code", SI_TKILL, handler_code);
	}
out:
	stop = 1;
	pthread_join(th, NULL);
	check_long("spinning thread: handler runs", 1, hits);
	sig_default(SIGUSR1);
}

/* A thread that takes SIGUSR2, which the main thread blocks, while it waits
 * in read on a pipe (restarted after the handler) until it reads 'q'. */
static volatile pid_t taker_tid;
static volatile int taker_up;

static void *taker(void *arg)
{
	int fd = *(int *)arg;
	sigset_t s;
	char c = 0;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	taker_tid = gettid();
	taker_up = 1;
	while (c != 'q')
		if (read(fd, &c, 1) <= 0 && errno != EINTR)
			break;
	return NULL;
}

static void process_directed(void)
{
	int block[] = { SIGUSR2, 0 };
	pthread_t th;
	int p[2], err;
	pid_t pid;

	if (!proc_pipe("process-directed", p))
		return;
	sig_install("process-directed", SIGUSR2, on_signal, SA_RESTART, NULL);
	sig_set_mask(block);
	taker_up = 0;
	err = pthread_create(&th, NULL, taker, &p[0]);
	if (err) {
		fail("process-directed: pthread_create: %s", err_name(err));
		goto out_pipe;
	}
	if (!check_true("process-directed: the thread starts", await(&taker_up)))
		goto out;

	reset();
	CHECK_OK("kill(self, SIGUSR2)", kill(me, SIGUSR2));
	if (check_true("kill(self) with SIGUSR2 blocked here: a handler runs",
		       await(&hits))) {
		check_long("kill(self): the handler runs on the thread that takes it",
			   taker_tid, handler_tid);
		check_long("kill(self): si_code", SI_USER, handler_code);
	}
	check_sigs("kill(self): nothing pending here", 0, sig_pending_now());

	reset();
	pid = proc_fork("kill from a child");
	if (pid == 0)
		_exit(kill(getppid(), SIGUSR2) == 0 ? 0 : 1);
	if (pid > 0)
		proc_reap("kill from a child", pid, PROC_EXITED(0));
	if (check_true("kill from a child with SIGUSR2 blocked here: a handler runs",
		       await(&hits))) {
		check_long("kill from a child: the handler runs on the thread that takes it",
			   taker_tid, handler_tid);
		check_long("kill from a child: si_code", SI_USER, handler_code);
	}
	check_sigs("kill from a child: nothing pending here", 0,
		   sig_pending_now());
out:
	proc_send(p[1], "q", 1);
	pthread_join(th, NULL);
out_pipe:
	close(p[0]);
	close(p[1]);
	sig_set_mask(NULL);
	sig_default(SIGUSR2);
}

/* One instance in the thread's queue, one in the process's. */
static void two_queues(void)
{
	int block[] = { SIGUSR1, 0 };

	sig_install("two queues", SIGUSR1, on_signal, 0, NULL);
	reset();
	sig_set_mask(block);
	kill(me, SIGUSR1);
	sig_tgkill(me, gettid(), SIGUSR1);
	check_sigs("kill and tgkill while blocked: pending", sig_bit(SIGUSR1),
		   sig_pending_now());
	sig_set_mask(NULL);
	check_long("kill and tgkill while blocked: deliveries at unblock", 2,
		   hits);
	sig_default(SIGUSR1);
}

/* A child whose second thread raises SIGUSR1, whose handler calls
 * _exit(42) there, while the main thread waits in pthread_join. */
static volatile pid_t raiser_tid;

static void exit_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	_exit(sig == SIGUSR1 && gettid() == raiser_tid ? 42 : 43);
}

static void *raiser(void *arg)
{
	(void)arg;
	raiser_tid = gettid();
	raise(SIGUSR1);
	return NULL;
}

static void exit_from_handler(void)
{
	pid_t pid = proc_fork("exit from a handler in a thread");

	if (pid == 0) {
		pthread_t th;

		sig_install("exit from a handler", SIGUSR1, exit_handler, 0, NULL);
		if (pthread_create(&th, NULL, raiser, NULL) != 0)
			_exit(2);
		pthread_join(th, NULL);
		_exit(4);
	}
	proc_reap("exit from a handler in a thread", pid, PROC_EXITED(42));
}

int main(void)
{
	proc_default_signals();
	me = getpid();
	exit_from_handler();
	spinning_thread();
	process_directed();
	two_queues();
	proc_finish();
	printf("signal_threads: done\n");
	return check_exit("signal_threads");
}
