import { lazy, Suspense, useState } from 'react';
import { chartRange, type ChartRangeId } from '../../ui/chart-common.ts';
import { RangeButtons } from '../../ui/RangeButtons.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { useCandles } from './api.ts';

const CandleChart = lazy(() => import('../../ui/CandleChart.tsx'));

/** An asset's candlestick chart with volume and the shared range buttons (asset page, trade page). */
export function PriceCandles({
  assetId,
  name,
  live,
  height,
  title = 'Price',
}: {
  assetId: string;
  name: string;
  live?: string | undefined;
  height?: number;
  title?: string;
}) {
  const [rangeId, setRange] = useState<ChartRangeId>('1D');
  const range = chartRange(rangeId);
  const candles = useCandles(assetId, range.candle, range.candles);
  return (
    <>
      <div className="row-between chart-head">
        <h2 style={{ margin: 0 }}>
          {title} <span className="muted chart-interval">{range.candle} candles</span>
        </h2>
        <RangeButtons value={rangeId} onChange={setRange} />
      </div>
      {candles.error ? (
        <ErrorState error={candles.error} onRetry={() => void candles.refetch()} />
      ) : (
        <Suspense fallback={<Loading label="Loading chart" />}>
          {candles.isPending ? (
            <Loading label="Loading chart" />
          ) : (
            <CandleChart
              candles={candles.data?.items ?? []}
              interval={range.candle}
              live={live}
              height={height}
              label={`${name} candlestick chart with volume, ${range.label}, ${range.candle} candles`}
            />
          )}
        </Suspense>
      )}
    </>
  );
}
