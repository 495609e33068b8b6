// Package csss implements the Cube CSSS wire protocol: signing, envelope, codes and messages, the route table, and the data types of the answers.
package csss
