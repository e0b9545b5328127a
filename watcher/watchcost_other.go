//go:build !darwin

package watcher

// entryCost is what each entry of a watched directory costs: inotify watches the directory
// alone, with one watch and no descriptor, and reports changes to the files in it.
const entryCost = 0

// maxWatchBudget caps the default budget only so that an unlimited open-files limit still
// yields a number: inotify watches cost no descriptor.
const maxWatchBudget = 1 << 30
