"""Evidence of work from the project's git history (``phasedocs sync``).

:mod:`.git` reads the history (local, no network; one ``git log`` over every ref) and
:mod:`.derive` maps commits to tasks, by trailer, message and branch, into what each
task's commits show: when its work began, when it landed, who claimed it done and
where, and which files it changed.
"""
