-- The day of the first CSM signal (assessment or flag), null when there is none.
SELECT CAST(min(signal_at) AS DATE) AS first_signal FROM csm_signal_history
