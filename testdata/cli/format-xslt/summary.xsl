<?xml version="1.0" encoding="UTF-8"?>
<!-- A site's own format: a Markdown table of the findings, for a
     merge-request comment.  It reads the findings XML (schemas/findings.rng). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:template match="/kvmlint-findings">
    <xsl:text>| file | line | severity | rule | finding |&#10;|---|---|---|---|---|&#10;</xsl:text>
    <xsl:for-each select="file/finding[not(@suppressed)]">
      <xsl:value-of select="concat('| ', ../@path, ' | ', @line, ' | ', @severity, ' | ',
                                   @rule, ' | ', message, ' |&#10;')"/>
    </xsl:for-each>
    <xsl:value-of select="concat('&#10;files: ', summary/@files, ', errors: ', summary/@error,
                                 ', warnings: ', summary/@warning, '&#10;')"/>
  </xsl:template>
</xsl:stylesheet>
