//go:build !darwin

package watcher

// entryCost is what each entry of a watched directory costs: inotify watches the directory
// alone, with one watch and no descriptor, and reports changes to the files in it.
const entryCost = 0
