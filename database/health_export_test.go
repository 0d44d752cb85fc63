package database

// RedactMessage exposes redactMessage to the external tests.
var RedactMessage = redactMessage
