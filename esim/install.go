package esim

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
	qrcode "github.com/skip2/go-qrcode"
)

// installCode returns the activation code of a paid order's profile;
// KindNoQRCode when the order is not paid.
func installCode(o *shop.ESIMOrder, p *shop.Profile) (string, error) {
	if o.Status != shop.ESIMPaid || p == nil {
		return "", opencube.Errorf(opencube.KindNoQRCode, "order %s is not paid: no QR code yet", o.ID)
	}
	return p.ActivationCode(), nil
}

// QRPNG renders an activation code as a QR code PNG, size pixels square.
func QRPNG(code string, size int) ([]byte, error) {
	return qrcode.Encode(code, qrcode.Medium, size)
}

// AppleInstallURL is Apple's one-tap eSIM install link for an activation
// code (iOS 17.4 and later open it in Settings).
func AppleInstallURL(code string) string {
	return "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=" + escapeCardData(code)
}

// escapeCardData keeps an activation code readable (Apple's own links show
// `LPA:1$host$id` raw) and escapes anything outside the characters an
// activation code normally holds.
func escapeCardData(code string) string {
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":$.-_", r)) {
			return url.QueryEscape(code)
		}
	}
	return code
}

// Mailer sends mail through one SMTP server, without authentication (a
// local relay); Addr is HOST:PORT, From the envelope and header sender.
type Mailer struct {
	Addr string
	From string
}

// Send sends msg (a whole message with headers) to one address.
func (m *Mailer) Send(to string, msg []byte) error {
	if strings.ContainsAny(to, "\r\n") {
		return fmt.Errorf("esim: bad recipient %q", to)
	}
	return smtp.SendMail(m.Addr, nil, m.From, []string{to}, msg)
}

// InstallMail is the message that tells a buyer how to install the eSIM:
// the activation code, the Apple link, the SM-DP+ address and matching ID
// for manual entry, and the QR code as a PNG attachment.
func InstallMail(from, to, orderID, planName, iccid, smdp, matchingID, code string, png []byte, now time.Time) []byte {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n",
		from, to, mime.QEncoding.Encode("utf-8", "Your eSIM "+planName+" (order "+orderID+")"),
		now.UTC().Format(time.RFC1123Z), w.Boundary())
	text, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}})
	fmt.Fprintf(text, "Thank you for your order %s.\r\n\r\nScan the attached QR code from your phone's eSIM settings, or on an iPhone open:\r\n%s\r\n\r\nManual entry:\r\n  SM-DP+ address: %s\r\n  Activation code (matching ID): %s\r\n  ICCID: %s\r\n\r\nActivation code: %s\r\n",
		orderID, AppleInstallURL(code), smdp, matchingID, iccid, code)
	att, _ := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"image/png"},
		"Content-Transfer-Encoding": {"base64"},
		"Content-Disposition":       {`attachment; filename="esim-` + orderID + `.png"`},
	})
	enc := base64.StdEncoding.EncodeToString(png)
	for len(enc) > 76 {
		fmt.Fprintf(att, "%s\r\n", enc[:76])
		enc = enc[76:]
	}
	fmt.Fprintf(att, "%s\r\n", enc)
	w.Close()
	msg.Write(body.Bytes())
	return msg.Bytes()
}

// CodeMail is the message carrying an e-mail verification code.
func CodeMail(from, to, code string, now time.Time) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Your verification code\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour verification code is %s. It is valid for 10 minutes.\r\n",
		from, to, now.UTC().Format(time.RFC1123Z), code))
}
