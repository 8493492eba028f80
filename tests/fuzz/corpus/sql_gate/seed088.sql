SELECT 1 -- 
;DROP VIEW people