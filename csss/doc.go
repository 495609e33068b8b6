// Package csss implements the Cube CSSS wire protocol: signing, envelope, codes and messages, and the route table.
package csss
