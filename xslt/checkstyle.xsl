<?xml version="1.0" encoding="UTF-8"?>
<!--
  kvmlint -f checkstyle: the findings XML (schemas/findings.rng) in
  Checkstyle's report format, which many CI servers and editors read:
  one <file> per input file, one <error> per finding that is not
  suppressed, with the rule as source "kvmlint.RULE".  A path that could
  not be read gets one error without a position (line 0).  Embedded into
  the binary at build time.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>

  <xsl:template match="/kvmlint-findings">
    <checkstyle version="4.3">
      <xsl:apply-templates select="file"/>
    </checkstyle>
  </xsl:template>

  <xsl:template match="file">
    <file name="{@path}">
      <xsl:if test="@error">
        <error line="0" severity="error" message="{@error}" source="kvmlint.read"/>
      </xsl:if>
      <xsl:apply-templates select="finding[not(@suppressed)]"/>
    </file>
  </xsl:template>

  <xsl:template match="finding">
    <error line="{@line}">
      <xsl:if test="@column != 0">
        <xsl:attribute name="column"><xsl:value-of select="@column"/></xsl:attribute>
      </xsl:if>
      <xsl:attribute name="severity"><xsl:value-of select="@severity"/></xsl:attribute>
      <xsl:attribute name="message">
        <xsl:value-of select="message"/>
        <xsl:if test="hint"><xsl:value-of select="concat(' (hint: ', hint, ')')"/></xsl:if>
      </xsl:attribute>
      <xsl:attribute name="source"><xsl:value-of select="concat('kvmlint.', @rule)"/></xsl:attribute>
    </error>
  </xsl:template>
</xsl:stylesheet>
