package opencube

import "context"

// afterUsage is called by rating, inside the transaction that books usage
// to order o, with the order's used bytes before the booking. It is where
// usage alerts (per-enterprise thresholds) are raised; it writes nothing
// yet.
func (s *Service) afterUsage(ctx context.Context, tx OrderTx, o *Order, usedBefore int64) error {
	return nil
}
