/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Stops a process this one did not start (so has no handle on): TERM, then KILL after 5 s. */
export const stopPid = async (pid: number): Promise<void> => {
  const deadline = Date.now() + 5_000
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL')
      return
    }
    await new Promise((wake) => setTimeout(wake, 100))
  }
}
