// Package sms owns opencube's short messages: the GSM 03.38 and UCS-2
// encodings and how a text is split into the segments a network sends
// (codec.go), the SMS service of the CSSS API (sending, querying, delivery
// reports and mobile-originated messages, service.go), the background jobs
// that hand messages to a gateway exactly once where that can be known
// (sender.go), and the gateways behind the one Gateway interface: the
// sandbox device (sandbox.go) and Kannel, the open-source SMS gateway that
// speaks SMPP to operators (kannel.go).
package sms
