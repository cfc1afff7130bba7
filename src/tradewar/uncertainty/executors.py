"""Fan independent solves out: in this process, to local processes, or to a Dask cluster.

A *job* is an object with a ``key`` (unique per job), ``prepare()`` (the expensive set-up:
load and check the world, resolve the policy) and ``run(prepared, task)`` (one solve,
returning a picklable outcome; expected failures are outcomes, not exceptions). Tasks
are sent in chunks; every process prepares a job once and keeps it:

- ``"serial"``: here, one task after another;
- ``"processes"`` (default) or an ``int`` (the number of processes): a
  :class:`concurrent.futures.ProcessPoolExecutor` whose workers receive the job once,
  through the pool's initializer;
- ``"tcp://HOST:PORT"`` or a ``distributed.Client``: a Dask cluster; the job is
  scattered to every worker once (``broadcast=True``);
- any other :class:`concurrent.futures.Executor`: the job travels with each chunk and is
  prepared once per process.

Outcomes do not depend on where a task ran: each is computed from its own task alone
(the same arithmetic in every process), so a distributed run equals the serial one bit
for bit. numpy's reductions round according to memory layout, so the serial path also
works on a pickled copy of the job, exactly what a worker receives.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any

__all__ = ["describe_executor", "run_tasks", "stop_pool"]

_INSTALLED: dict[str, Any] = {}
_PREPARED: dict[str, Any] = {}
_KEEP = 4  # prepared jobs kept per process


def _install(job) -> None:
    """Pool initializer: keep the job in this worker process. Ctrl-C reaches the whole
    process group; workers ignore it, so that the parent alone decides how to stop
    (cancel what is queued, terminate the workers) and no worker prints a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _INSTALLED[job.key] = job


def _prepared(job):
    if job.key not in _PREPARED:
        while len(_PREPARED) >= _KEEP:
            _PREPARED.pop(next(iter(_PREPARED)))
        _PREPARED[job.key] = job.prepare()
    return _PREPARED[job.key]


def execute_chunk(job, chunk: Sequence[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Run ``(task_id, task)`` pairs; ``job`` is the job or, in a pool worker, its key.

    Parameters
    ----------
    job : object or str
        The job (see the module docstring), or its key in a pool worker.
    chunk : sequence of tuple
        ``(task_id, task)`` pairs.

    Returns
    -------
    list of tuple
        ``(task_id, outcome)`` pairs, in order.
    """
    if isinstance(job, str):
        job = _INSTALLED[job]
    prepared = _prepared(job)
    return [(task_id, job.run(prepared, task)) for task_id, task in chunk]


def _chunks(tasks: Sequence, size: int) -> list[list]:
    return [list(tasks[start:start + size]) for start in range(0, len(tasks), size)]


def _chunk_size(n_tasks: int, workers: int, requested: int | None) -> int:
    if requested:
        return max(1, int(requested))
    return max(1, min(16, math.ceil(n_tasks / (4 * max(1, workers)))))


def describe_executor(executor) -> str:
    """Where tasks given to :func:`run_tasks` with this ``executor`` would run, in words
    (recorded in results and printed by the commands).

    Parameters
    ----------
    executor : str, int, distributed.Client or concurrent.futures.Executor, optional
        As :func:`run_tasks` takes it.

    Returns
    -------
    str
        E.g. ``local processes (8)``, ``serial``, ``dask tcp://host:8786``.
    """
    if executor is None or executor == "processes":
        return f"local processes ({os.cpu_count()})"
    if isinstance(executor, int):
        return f"local processes ({executor})"
    if isinstance(executor, str):
        return executor if executor == "serial" else f"dask {executor}"
    return type(executor).__name__


def run_tasks(
    job,
    tasks: Sequence[tuple[Any, Any]],
    executor=None,
    *,
    workers: int | None = None,
    chunk_size: int | None = None,
    on_done: Callable[[int], None] | None = None,
) -> Iterator[tuple[Any, Any]]:
    """Yield ``(task_id, outcome)`` as tasks finish (in any order); see the module docstring.

    Parameters
    ----------
    job : object
        The job: ``key``, ``prepare()`` and ``run(prepared, task)``.
    tasks : sequence of tuple
        ``(task_id, task)`` pairs.
    executor : str, int, distributed.Client or concurrent.futures.Executor, optional
        Where to run (default: local processes).
    workers : int, optional
        Local processes (default: the CPU count).
    chunk_size : int, optional
        Tasks per chunk (default: up to 16, about four chunks per worker).
    on_done : callable, optional
        Called with the number of tasks of each finished chunk.

    Yields
    ------
    tuple
        ``(task_id, outcome)``.

    Raises
    ------
    ValueError
        If the executor is none of the kinds above.
    """
    tasks = list(tasks)
    if not tasks:
        return
    if isinstance(executor, int):
        executor, workers = "processes", executor
    if executor is None:
        executor = "processes"
    if executor == "serial":
        job = pickle.loads(pickle.dumps(job))  # the same arrays, laid out as a worker would get them
        chunks = _chunks(tasks, _chunk_size(len(tasks), 1, chunk_size))
        yield from _reported((execute_chunk(job, chunk) for chunk in chunks), on_done)
        return
    if executor == "processes":
        workers = max(1, int(workers or os.cpu_count() or 1))
        context = multiprocessing.get_context(_start_method())
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_install,
                                   initargs=(job,))
        try:
            futures = [pool.submit(execute_chunk, job.key, chunk)
                       for chunk in _chunks(tasks, _chunk_size(len(tasks), workers, chunk_size))]
            yield from _reported((future.result() for future in as_completed(futures)), on_done)
        except BaseException:
            # Ctrl-C, an error, or the caller stopped iterating: drop the queued chunks and
            # stop the workers now instead of letting them finish every chunk (which took
            # 20-45 s after a Ctrl-C).
            stop_pool(pool)
            raise
        pool.shutdown(wait=True)
        return
    if isinstance(executor, str) or _is_dask_client(executor):
        yield from _run_dask(job, tasks, executor, chunk_size, on_done)
        return
    if isinstance(executor, Executor):
        size = _chunk_size(len(tasks), workers or os.cpu_count() or 1, chunk_size)
        futures = [executor.submit(execute_chunk, job, chunk) for chunk in _chunks(tasks, size)]
        yield from _reported((future.result() for future in as_completed(futures)), on_done)
        return
    raise ValueError(
        f"executor must be 'serial', 'processes', a number of processes, a Dask scheduler "
        f"address (tcp://HOST:PORT), a distributed.Client or a concurrent.futures.Executor; got {executor!r}."
    )


def stop_pool(pool: ProcessPoolExecutor, *, timeout: float = 5.0) -> None:
    """Cancel what is queued and terminate the workers of ``pool`` without waiting for their work.

    Parameters
    ----------
    pool : concurrent.futures.ProcessPoolExecutor
        The pool to stop; its queued tasks are cancelled and its workers terminated.
    timeout : float, default 5.0
        Seconds to wait for each worker, then for the pool's manager thread, to end.
    """
    # ProcessPoolExecutor gains terminate_workers() only in Python 3.14; before that, its
    # process table is the one handle on the workers.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)  # shutdown() drops the pool's reference to it
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=timeout)
    # Wait for the pool's manager thread to end (it closes its wake-up pipe as it goes): Python's
    # exit hook writes to that pipe without the pool's lock, and a close racing with it printed an
    # OSError traceback after a Ctrl-C; the same hook then joins the thread with no timeout
    # (CPython 3.11, concurrent/futures/process.py _python_exit).
    if manager is None:
        return
    manager.join(timeout=min(timeout, 0.5))  # it usually sees the workers gone at once
    if manager.is_alive():
        # A worker terminated while it was sending a result leaves the thread reading the rest
        # of that message for ever (the process then hung at exit). The workers' copies of the
        # result pipe's write end died with them; closing the pool's own copy ends the read
        # with EOFError, which the thread takes for a broken pool and shuts down.
        writer = getattr(results, "_writer", None)
        if writer is not None:
            writer.close()
        manager.join(timeout=timeout)


def _start_method() -> str:
    """fork where the platform has it (workers start at once; scripts need no
    ``if __name__ == "__main__"`` guard), spawn where fork is unsafe (JAX, which is
    multithreaded, already imported) or absent; ``TRADEWAR_START_METHOD`` overrides."""
    chosen = os.environ.get("TRADEWAR_START_METHOD")
    if chosen:
        return chosen
    if "fork" in multiprocessing.get_all_start_methods() and "jax" not in sys.modules:
        return "fork"
    return "spawn"


def _reported(chunks: Iterator[list], on_done: Callable[[int], None] | None) -> Iterator[tuple[Any, Any]]:
    """The outcomes of finished chunks, one by one, telling ``on_done`` how many each chunk held."""
    for done in chunks:
        yield from done
        if on_done:
            on_done(len(done))


def _is_dask_client(executor) -> bool:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - distributed is a dependency
        return False
    return isinstance(executor, Client)


def _run_dask(job, tasks, executor, chunk_size, on_done):
    from tradewar.extras import require_extra

    require_extra("scale", "distributed")
    from distributed import Client
    from distributed import as_completed as dask_completed

    own = isinstance(executor, str)
    client = Client(executor, timeout="30s", set_as_default=False) if own else executor
    try:
        workers = max(1, sum(client.nthreads().values()))
        shared = client.scatter(job, broadcast=True, hash=False)
        futures = [client.submit(execute_chunk, shared, chunk, pure=False)
                   for chunk in _chunks(tasks, _chunk_size(len(tasks), workers, chunk_size))]
        yield from _reported((future.result() for future in dask_completed(futures, loop=client.loop)), on_done)
    finally:
        if own:
            client.close()
