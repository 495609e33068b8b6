// Package billing holds the vocabulary of what an enterprise owes and has
// paid: its billing account (prepaid or postpaid, currency, credit limit,
// alert threshold, whether CSSS pay_amount must match the price), the
// ledger (one line a priced move, written in the transaction of the change
// it prices, never updated or deleted), balances, monthly statements per
// UTC+8 month and the usage export. The stores (sqlite, postgres)
// implement Store and Tx; the service package prices the moves.
//
// Amounts are integer minor units, signed from the enterprise's side: a
// top-up or a refund is positive, a charge negative, and a balance is the
// sum of the lines of one currency.
package billing
