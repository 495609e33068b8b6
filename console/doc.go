// Package console is the web console: server-rendered pages (html/template,
// assets embedded) through which operators and enterprises see and run
// their SIMs. It signs users in with their passwords, keeps sessions in the
// store, protects every form with a token, and calls the operator API
// in-process as the signed-in user (admin.Server.As), so that a page can do
// nothing the same user could not do through the API, and every change it
// makes lands in the audit trail with that user as actor.
package console
